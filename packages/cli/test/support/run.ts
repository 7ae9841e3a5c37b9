/**
 * Running `comet-ts` in-process for tests: argv in; stdout, stderr and the exit code out. The
 * HTTP client is an emulator instance's `fetch` (no socket) unless a test gives another, and
 * configuration comes from a fixed environment, never from the machine's.
 */
import { Writable } from "node:stream"
import { CometConfig } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { Effect, Layer } from "effect"
import { run } from "../../src/index.js"

/** The dataset of every in-process test: the emulator's default (`--generate small --seed 1`). */
export const dataset = Emulator.generate({ size: "small", seed: 1 })

/** What a run printed and how it ended. */
export interface Captured {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A writable that keeps what is written; `failAfter` bytes make it fail like a closed pipe. */
export const sink = (options: { readonly isTTY?: boolean; readonly failAfter?: number } = {}) => {
  let text = ""
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      if (options.failAfter !== undefined && text.length >= options.failAfter) {
        const error = Object.assign(new Error("write EPIPE"), { code: "EPIPE" })
        callback(error)
        return
      }
      text += chunk.toString()
      callback()
    }
  })
  if (options.isTTY !== undefined) Object.assign(stream, { isTTY: options.isTTY })
  return { stream, text: () => text }
}

/** The HTTP client of an emulator instance (or any `fetch`), through its in-process `fetch`. */
export const clientOf = (server: {
  readonly fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>
}): Layer.Layer<HttpClient.HttpClient> =>
  FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, server.fetch as typeof fetch)))

/** An emulator instance over `dataset` (or other options). */
export const emulator = (options: Emulator.EmulatorOptions = {}) => Effect.orDie(Emulator.make({ dataset, ...options }))

/** The environment of a test run: the emulator's key and a loopback URL. */
export const baseEnv: Readonly<Record<string, string>> = {
  COMET_API_KEY: Emulator.DEFAULT_API_KEY,
  COMET_URL_OVERRIDE: "http://127.0.0.1:4820"
}

/** Run one command line; `client` defaults to a fresh emulator over `dataset`. */
export const runCli = (
  argv: ReadonlyArray<string>,
  options: {
    readonly env?: Readonly<Record<string, string | undefined>>
    readonly client?: Layer.Layer<HttpClient.HttpClient>
    readonly stdout?: ReturnType<typeof sink>
    readonly stderr?: ReturnType<typeof sink>
  } = {}
): Effect.Effect<Captured> =>
  Effect.gen(function* () {
    const env = options.env ?? baseEnv
    const client = options.client ?? clientOf(yield* emulator())
    const stdout = options.stdout ?? sink()
    const stderr = options.stderr ?? sink()
    const code = yield* run(argv, {
      stdout: stdout.stream,
      stderr: stderr.stream,
      env,
      connection: { httpClient: client, sources: CometConfig.staticSources(env) }
    })
    return { code, stdout: stdout.text(), stderr: stderr.text() }
  })
