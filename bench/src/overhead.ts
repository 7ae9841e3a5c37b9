/**
 * Overhead: what comet-ts itself costs per request, over an instant fake transport (no network,
 * no server): `getExperimentMetricsSummaries(key)` through `CometApi` and `CometHttp` run on a
 * `ManagedRuntime` as the Promise facade runs every call (permits, retry loop, coalescing,
 * stats, timer, body reading, JSON parse, Schema decode), 20,000 calls at concurrency 16. For
 * reference in the same process: the Effect runtime alone (one `runPromise` of one
 * `Effect.promise` per call over the same fake) and plain code (the fake read and
 * `JSON.parse`). Client CPU time per request.
 */
import { CometApi, CometApiLayer } from "@comet-ts/api"
import { CometHttp, Transport } from "@comet-ts/http"
import { Effect, Layer, ManagedRuntime } from "effect"
import { ownTransport } from "../../packages/http/src/internal/transport.js"
import { SWEEP_SIZE, sweepKey } from "./dataset.js"
import type { Benchmark } from "./types.js"
import { collectGarbage, median, now, pool, round } from "./util.js"

const CONCURRENCY = 16

/** A metric-summary answer as Comet sends it (3 metrics). */
const summary = (name: string, i: number) => ({
  name,
  valueMax: String(1 + i),
  valueMin: String(0.01 * i),
  valueCurrent: String(0.5 + i),
  timestampMax: 1_700_000_000_000 + i,
  timestampMin: 1_700_000_000_000,
  timestampCurrent: 1_700_000_000_500 + i,
  runContextMax: null,
  runContextMin: null,
  runContextCurrent: null,
  stepMax: 999,
  stepMin: 0,
  stepCurrent: 999,
  editable: false
})
const BODY = new TextEncoder().encode(
  JSON.stringify({ values: ["loss", "accuracy", "val_loss"].map((n, i) => summary(n, i)) })
)

/** A body of one chunk, read at once. */
const oneChunk = (): Transport.TransportBody => {
  let done = false
  return {
    read: () => {
      if (done) return Promise.resolve(null)
      done = true
      return Promise.resolve(BODY)
    },
    cancel: () => {
      done = true
    }
  }
}

/**
 * The fake transport: every request answered at once with the same summary list. Marked as one
 * of ours (it takes any Cancel: it never reads its signal), as the default transports are: the
 * overhead is measured on the path the undici transport takes, not through the AbortSignal a
 * user's own Transport is given.
 */
const fake: Transport.TransportShape = ownTransport({
  name: "fake",
  proxyFor: () => null,
  close: () => Promise.resolve(),
  send: () =>
    Promise.resolve({
      status: 200,
      headers: { "content-type": "application/json", "content-length": String(BODY.length) },
      body: oneChunk(),
      decodedUnchecked: false,
      identityIgnored: false
    })
})

const cpuOf = async (f: () => Promise<void>): Promise<number> => {
  collectGarbage()
  const c0 = process.cpuUsage()
  await f()
  const c = process.cpuUsage(c0)
  return (c.user + c.system) / 1000
}

/** The overhead benchmark. */
export const overhead: Benchmark = {
  name: "overhead",
  run: async (ctx) => {
    const n = ctx.quick ? 5_000 : 20_000
    const keys = Array.from({ length: n }, (_, i) => sweepKey(i % SWEEP_SIZE))
    const runtime = ManagedRuntime.make(
      CometApiLayer.layer().pipe(
        Layer.provideMerge(
          CometHttp.layerTransport({
            apiKey: "bench-key",
            baseUrl: "https://comet.example",
            maxConcurrency: CONCURRENCY
          })
        ),
        Layer.provide(Layer.succeed(Transport.Transport, fake))
      )
    )
    const floor = ManagedRuntime.make(Layer.empty)
    try {
      const call = (k: string) =>
        runtime.runPromiseExit(Effect.flatMap(CometApi, (api) => api.getExperimentMetricsSummaries(k)))
      const clients = {
        ours: () =>
          pool(keys, CONCURRENCY, async (k) => {
            const exit = await call(k)
            if (exit._tag !== "Success" || exit.value.length !== 3) throw new Error("overhead: a call failed")
          }).then(() => {}),
        effect: () =>
          pool(keys, CONCURRENCY, (k) =>
            floor.runPromise(
              Effect.promise(async () => {
                const r = await fake.send(
                  { method: "GET", url: k, headers: {}, body: undefined, encoding: "any" },
                  new AbortController().signal
                )
                return JSON.parse(new TextDecoder().decode((await r.body.read()) ?? new Uint8Array())) as unknown
              })
            )
          ).then(() => {}),
        plain: () =>
          pool(keys, CONCURRENCY, async (k) => {
            const r = await fake.send(
              { method: "GET", url: k, headers: {}, body: undefined, encoding: "any" },
              new AbortController().signal
            )
            return JSON.parse(new TextDecoder().decode((await r.body.read()) ?? new Uint8Array())) as unknown
          }).then(() => {})
      }
      // warm-up
      for (const f of Object.values(clients)) await f()
      const reps = ctx.quick ? 3 : 7
      const cpu: Record<keyof typeof clients, Array<number>> = { ours: [], effect: [], plain: [] }
      const wall: Array<number> = []
      for (let r = 0; r < reps; r++) {
        for (const which of ["ours", "effect", "plain"] as const) {
          const t0 = now()
          cpu[which].push(await cpuOf(clients[which]))
          if (which === "ours") wall.push(now() - t0)
        }
      }
      const perRequest = (which: keyof typeof clients) => round((median(cpu[which]) / n) * 1000, 1)
      const ours = perRequest("ours")
      return [
        {
          name: "overhead per request over a fake transport",
          benchmark: "overhead",
          what: `CPU per request of getExperimentMetricsSummaries through CometApi and CometHttp on a ManagedRuntime (as the facade runs it), over a transport that answers at once: ${n} calls at concurrency ${CONCURRENCY}`,
          ours: {
            client: "CometApi + CometHttp over an instant fake Transport, runPromiseExit per call",
            cpuUsPerRequest: ours,
            wallMsMedian: round(median(wall)),
            cpuRunsMs: cpu.ours.map((x) => round(x)),
            effectRuntimeFloorUsPerRequest: perRequest("effect"),
            plainCodeUsPerRequest: perRequest("plain")
          },
          baseline: { name: "the target's budget", cpuUsPerRequest: 250 },
          ratio: round(ours / 250, 3),
          ratioDefinition: "ours.cpuUsPerRequest / baseline.cpuUsPerRequest",
          target: "≤ 250 µs per request",
          met: ours <= 250,
          node: process.version,
          notes: `${reps} runs each (median), garbage collected before each; effectRuntimeFloorUsPerRequest: one runPromise of one Effect.promise per call over the same fake (the Effect runtime alone); plainCodeUsPerRequest: the fake read and JSON.parse without Effect`
        }
      ]
    } finally {
      await runtime.dispose()
      await floor.dispose()
    }
  }
}
