/**
 * A deadline per call (`callTimeoutMs`), over real sockets: a call, or a stream, whose server
 * never answers rejects with `TransportError` "deadline" naming the call and the option; the
 * client's default applies to every call that sets none; a bad value is an `InvalidArgument`
 * before any request.
 */
import { CometConfig, isCometError } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { HttpServer } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { API, type APIOptions } from "../src/index.js"
import { Capture } from "./support/capture.js"
import { SECRET } from "./support/facade.js"

const dataset = Emulator.generate({ size: "small", seed: 1, apiKey: SECRET })
const exp = dataset.workspaces[0]!.projects[0]!.experiments[0]!

/** The emulator on a loopback port, answering nothing for ten minutes. */
const Server = Emulator.layerServer({ dataset, apiKey: SECRET, port: 0, latency: 600_000 })

const client = (options: Partial<APIOptions> = {}) =>
  Effect.gen(function* () {
    const server = yield* HttpServer.HttpServer
    const address = server.address
    const url = address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : ""
    const capture = new Capture()
    const api = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new API({
            apiKey: SECRET,
            baseUrl: url,
            panel: false,
            sources: CometConfig.staticSources({}),
            httpClient: capture.client(globalThis.fetch),
            ...options
          })
      ),
      (api) => Effect.promise(() => api.close())
    )
    return { api, capture, url }
  })

const rejection = (p: Promise<unknown>) =>
  Effect.promise(() =>
    p.then(
      () => assert.fail("the call succeeded"),
      (e: unknown) => e
    )
  )

const assertDeadline = (e: unknown, call: string) => {
  assert.isTrue(isCometError(e), String(e))
  const error = e as Error & { _tag: string; reason: string; endpoint: string; attempts: number }
  assert.strictEqual(error._tag, "TransportError", error.message)
  assert.strictEqual(error.reason, "deadline", error.message)
  assert.strictEqual(error.endpoint, call)
  assert.include(error.message, "callTimeoutMs")
  assert.include(error.message, `${call} did not complete`)
}

describe("callTimeoutMs", () => {
  it.scopedLive("a call whose server never answers rejects with 'deadline' naming the call and callTimeoutMs", () =>
    Effect.gen(function* () {
      const { api, capture, url } = yield* client()
      const e = yield* rejection(api.getExperimentMetadata(exp.experimentKey, { callTimeoutMs: 200 }))
      assertDeadline(e, "getExperimentMetadata")
      assert.strictEqual((e as { attempts: number }).attempts, 1)
      assert.include((e as Error).message, "200")
      capture.error(e)
      assert.deepStrictEqual(capture.leaks(SECRET, [url]), [])
    }).pipe(Effect.provide(Server))
  )

  it.scopedLive("the client's callTimeoutMs applies to every call that sets none", () =>
    Effect.gen(function* () {
      const { api } = yield* client({ callTimeoutMs: 150 })
      assertDeadline(yield* rejection(api.getWorkspaces()), "getWorkspaces")
      assertDeadline(yield* rejection(api.getExperimentTags(exp.experimentKey)), "getExperimentTags")
    }).pipe(Effect.provide(Server))
  )

  it.scopedLive("a stream: the iteration rejects with 'deadline'", () =>
    Effect.gen(function* () {
      const { api } = yield* client()
      const e = yield* rejection(
        (async () => {
          for await (const _ of api.streamExperimentAsset(exp.experimentKey, exp.assets[0]!.assetId, {
            callTimeoutMs: 200
          })) {
            // never reached
          }
        })()
      )
      assertDeadline(e, "streamExperimentAsset")
    }).pipe(Effect.provide(Server))
  )

  it.scopedLive("a value that is not a positive number of ms is an InvalidArgument naming it; nothing is sent", () =>
    Effect.gen(function* () {
      const { api, capture } = yield* client()
      for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, "1000" as unknown as number]) {
        const e = yield* rejection(api.getWorkspaces({ callTimeoutMs: bad }))
        assert.isTrue(isCometError(e) && e._tag === "InvalidArgument", String(e))
        assert.include((e as Error).message, "callTimeoutMs")
      }
      assert.strictEqual(capture.requests.length, 0)
    }).pipe(Effect.provide(Server))
  )
})
