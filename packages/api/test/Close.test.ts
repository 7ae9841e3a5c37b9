/**
 * `close()` ends everything promptly, over real sockets: 100 calls and streams waiting for a
 * server that never answers (the emulator on a loopback port with a latency no call outlives)
 * all reject as soon as the client is closed — with `TransportError` "closed", whose message
 * says the client was closed — and leave no socket, timer or request behind. The same holds for
 * `CometApi` when the scope of its layer closes, and for a call waiting out a 429.
 */
import { isCometError } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Fiber, Layer, Option, Scope } from "effect"
import { CometApi, Testing } from "../src/index.js"
import { Capture } from "./support/capture.js"
import { facade, SECRET } from "./support/facade.js"
import { eventually, inFlight, resources, serverUrl } from "./support/sockets.js"

const CALLS = 100
const dataset = Emulator.generate({ size: "small", seed: 1, apiKey: SECRET })
const experiments = dataset.workspaces.flatMap((w) => w.projects.flatMap((p) => p.experiments))

/** Distinct reads (no two share a request): a metric history each. */
const targets = Array.from({ length: CALLS }, (_, i) => {
  const e = experiments[i % experiments.length]!
  return { key: e.experimentKey, metric: e.metrics[Math.floor(i / experiments.length)]!.name }
})

const Server = Emulator.layerServer({ dataset, apiKey: SECRET, port: 0, latency: 600_000 })

/** The error of a call ended by closing its client. */
const assertClosed = (e: unknown) => {
  assert.isTrue(isCometError(e), String(e))
  const error = e as Error & { _tag: string; reason: string }
  assert.strictEqual(error._tag, "TransportError", error.message)
  assert.strictEqual(error.reason, "closed", error.message)
  assert.include(error.message, "the client was closed")
  assert.notInclude(error.message, "AbortSignal")
  assert.notInclude(error.message, "0 attempt")
}

describe("close() ends every pending call and stream", () => {
  it.live("of the facade: 90 calls and 10 streams waiting for their server reject with 'closed'; nothing is left", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const url = yield* serverUrl
      const capture = new Capture()
      const api = facade(globalThis.fetch, capture, { baseUrl: url, maxConcurrency: CALLS })
      const before = resources()
      const calls: Array<Promise<unknown>> = targets
        .slice(0, CALLS - 10)
        .map((t) => api.getExperimentMetric(t.key, t.metric))
      for (let i = 0; i < 10; i++) {
        const e = experiments[i]!
        calls.push(
          (async () => {
            for await (const _ of api.streamExperimentAsset(e.experimentKey, e.assets[0]!.assetId)) {
              // never reached: the server never answers
            }
          })()
        )
      }
      const settled = Promise.allSettled(calls)
      yield* eventually(
        () => inFlight(emulator) === CALLS,
        () => `${inFlight(emulator)} requests in flight on the server`
      )
      yield* Effect.promise(() => api.close())
      const outcomes = yield* Effect.promise(() => settled)
      assert.strictEqual(outcomes.length, CALLS)
      for (const o of outcomes) {
        assert.strictEqual(o.status, "rejected")
        if (o.status === "rejected") {
          assertClosed(o.reason)
          capture.error(o.reason)
        }
      }
      // a call after close() is refused before it starts
      const after = yield* Effect.promise(() =>
        api.getWorkspaces().then(
          () => null,
          (e: unknown) => e
        )
      )
      assert.isTrue(isCometError(after) && after._tag === "ConfigurationError")
      assert.include((after as Error).message, "was closed")
      yield* eventually(
        () => inFlight(emulator) === 0,
        () => `${inFlight(emulator)} requests still in flight on the server`
      )
      yield* eventually(
        () => (resources().TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0),
        () => `resources before ${JSON.stringify(before)}, now ${JSON.stringify(resources())}`
      )
      assert.deepStrictEqual(capture.leaks(SECRET, [url]), [])
    }).pipe(Effect.provide(Server))
  )

  it.live(
    "of CometApi when its layer's scope closes: every pending fiber fails with 'closed', none is interrupted",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const url = yield* serverUrl
        const scope = yield* Scope.make()
        const ctx = yield* Layer.buildWithScope(
          Testing.layerClient(FetchHttpClient.layer, { apiKey: SECRET, baseUrl: url, maxConcurrency: 20 }),
          scope
        )
        const api = Context.get(ctx, CometApi)
        const fibers = yield* Effect.forEach(targets.slice(0, 20), (t) =>
          Effect.forkDaemon(api.getExperimentMetric(t.key, t.metric))
        )
        yield* eventually(
          () => inFlight(emulator) === 20,
          () => `${inFlight(emulator)} requests in flight on the server`
        )
        yield* Scope.close(scope, Exit.void)
        const exits = yield* Effect.forEach(fibers, Fiber.await)
        for (const exit of exits) {
          assert.isTrue(Exit.isFailure(exit) && !Exit.isInterrupted(exit), String(exit))
          if (Exit.isFailure(exit)) assertClosed(Option.getOrUndefined(Cause.failureOption(exit.cause)))
        }
        yield* eventually(
          () => inFlight(emulator) === 0,
          () => `${inFlight(emulator)} requests still in flight on the server`
        )
      }).pipe(Effect.provide(Server))
  )
})
