/**
 * The emulator serving the bench dataset over real loopback HTTP, either in this process or in
 * a child process (so that server and client do not share one JavaScript thread). Both offer
 * the same handle: the URL, the server's request counters, and a way to stop it.
 */
import { fork } from "node:child_process"
import { decodeDataset, Emulator, type EmulatorStatsSnapshot, layerServer } from "@comet-ts/emulator"
import { HttpServer } from "@effect/platform"
import { Effect, Exit, Layer, Scope } from "effect"
import { API_KEY, benchDataset, type DatasetShape } from "./dataset.js"

/** What the bench asks of a server. */
export interface ServerSpec extends DatasetShape {
  /** Added latency of every request, in ms. */
  readonly latency: number
}

/** The server's counters, without the request log. */
export interface ServerCounts {
  readonly requests: number
  readonly byEndpoint: Readonly<Record<string, number>>
  readonly byStatus: Readonly<Record<string, number>>
  readonly maxInFlight: number
}

/** A running bench server. */
export interface RunningServer {
  readonly url: string
  readonly apiKey: string
  readonly mode: ServerMode
  readonly pid: number
  readonly counts: () => Promise<ServerCounts>
  readonly reset: () => Promise<void>
  readonly close: () => Promise<void>
}

/** Where the server runs. */
export type ServerMode = "child" | "inprocess"

const toCounts = (s: EmulatorStatsSnapshot): ServerCounts => ({
  requests: s.requests,
  byEndpoint: Object.fromEntries(Object.entries(s.byEndpoint).map(([k, v]) => [k, v.requests])),
  byStatus: s.byStatus,
  maxInFlight: s.maxInFlight
})

/** Start the emulator in this process. */
export const serveInProcess = async (spec: ServerSpec): Promise<RunningServer> => {
  const scope = Effect.runSync(Scope.make())
  const program = Effect.gen(function* () {
    const dataset = yield* decodeDataset(benchDataset(spec))
    const layer = layerServer({ host: "127.0.0.1", port: 0, latency: spec.latency, dataset })
    const context = yield* Layer.buildWithScope(layer, scope)
    return context
  })
  const context = await Effect.runPromise(program)
  const runtime = Effect.runSync(
    Effect.gen(function* () {
      const server = yield* HttpServer.HttpServer
      const emulator = yield* Emulator
      return { address: server.address, emulator }
    }).pipe(Effect.provide(context))
  )
  if (runtime.address._tag !== "TcpAddress") throw new Error("the bench server is not on TCP")
  const { emulator } = runtime
  return {
    url: `http://127.0.0.1:${runtime.address.port}`,
    apiKey: API_KEY,
    mode: "inprocess",
    pid: process.pid,
    counts: () => Effect.runPromise(Effect.map(emulator.stats.snapshot, toCounts)),
    reset: () => Effect.runPromise(emulator.stats.reset),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** Messages between the bench and its server child. */
export type ToServer = { readonly id: number; readonly op: "counts" | "reset" }
export type FromServer =
  | { readonly ready: string }
  | { readonly id: number; readonly counts?: ServerCounts }
  | { readonly error: string }

/** Start the emulator in a child process (`server-main.mjs`, bundled next to this one). */
export const serveInChild = (entry: string, spec: ServerSpec): Promise<RunningServer> =>
  new Promise((resolve, reject) => {
    const child = fork(entry, [JSON.stringify(spec)], { stdio: ["ignore", "inherit", "inherit", "ipc"] })
    let nextId = 1
    const pending = new Map<number, (m: FromServer) => void>()
    const ask = (op: ToServer["op"]) =>
      new Promise<FromServer>((res, rej) => {
        const id = nextId++
        pending.set(id, res)
        child.send({ id, op } satisfies ToServer, (e) => {
          if (e !== null) rej(e)
        })
      })
    const exited = new Promise<void>((res) => child.once("exit", () => res()))
    child.on("message", (raw) => {
      const m = raw as FromServer
      if ("ready" in m) {
        resolve({
          url: m.ready,
          apiKey: API_KEY,
          mode: "child",
          pid: child.pid ?? -1,
          counts: async () => {
            const r = await ask("counts")
            if (!("counts" in r) || r.counts === undefined) throw new Error("the bench server sent no counts")
            return r.counts
          },
          reset: async () => {
            await ask("reset")
          },
          close: async () => {
            child.kill("SIGTERM")
            await exited
          }
        })
      } else if ("error" in m) reject(new Error(`bench server: ${m.error}`))
      else {
        const done = pending.get(m.id)
        pending.delete(m.id)
        done?.(m)
      }
    })
    child.once("exit", (code) => reject(new Error(`the bench server exited (${code}) before it was ready`)))
  })

/** Start a server where asked. */
export const serve = (mode: ServerMode, childEntry: string, spec: ServerSpec): Promise<RunningServer> =>
  mode === "child" ? serveInChild(childEntry, spec) : serveInProcess(spec)
