/**
 * The facade's two ways of running a call — the first through the ManagedRuntime, later ones
 * forked on the runtime it built — against a hostile plain-JavaScript caller (calls after
 * `close()`, `close()` under calls in flight, signals, `callTimeoutMs`) and a hostile server
 * behind a `fetch` that ignores its AbortSignal (never answers, or stalls mid-body and ignores
 * cancel): `timeoutMs` must still end the attempts.
 */
import { CometConfig } from "@comet-ts/core"
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { API, type APIOptions } from "../src/index.js"

type Behaviour = "ok" | "hang" | "stall"

/** A fetch that ignores its signal; what it does with the n-th request is `script(n)`. */
const deafFetch = (script: (n: number) => Behaviour) => {
  let n = 0
  const seen: Array<AbortSignal | null | undefined> = []
  const fetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
    n++
    seen.push(init?.signal)
    const behaviour = script(n)
    if (behaviour === "hang") return new Promise<Response>(() => {})
    if (behaviour === "stall") {
      const body = new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new TextEncoder().encode('{"workspaceNames":[')),
        // never closes; cancel is ignored
        cancel: () => new Promise<void>(() => {})
      })
      return new Response(body, { status: 200, headers: { "content-type": "application/json" } })
    }
    return new Response(JSON.stringify({ workspaceNames: [`w${n}`] }), {
      status: 200,
      headers: { "content-type": "application/json" }
    })
  }) as typeof globalThis.fetch
  return { fetch, seen, count: () => n }
}

const apiOver = (fetch: typeof globalThis.fetch, options: Partial<APIOptions> = {}) =>
  new API({
    apiKey: "k-0123456789",
    baseUrl: "http://127.0.0.1:1",
    panel: false,
    sources: CometConfig.staticSources({}),
    httpClient: FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch))),
    ...options
  })

/** How a promise ended: its value, or the error's tag and reason. */
const outcome = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (v) => ({ value: v }),
    (e: unknown) => {
      const error = e as { _tag?: string; reason?: string }
      return { tag: error._tag, reason: error.reason }
    }
  )

const tick = () => new Promise<void>((r) => setTimeout(r, 20))

describe("the facade after close()", () => {
  for (const warm of [false, true]) {
    it.live(`50 calls after close() reject with ConfigurationError (${warm ? "after" : "before"} a first call)`, () =>
      Effect.promise(async () => {
        const server = deafFetch(() => "ok")
        const api = apiOver(server.fetch)
        if (warm) {
          assert.deepStrictEqual(await api.getWorkspaces(), ["w1"])
          assert.deepStrictEqual(await api.getWorkspaces(), ["w2"])
        }
        await api.close()
        const outcomes = await Promise.all(Array.from({ length: 50 }, () => outcome(api.getWorkspaces())))
        assert.isTrue(outcomes.every((o) => (o as { tag?: string }).tag === "ConfigurationError"))
        assert.strictEqual(server.count(), warm ? 2 : 0)
      })
    )
  }

  it.live("a first call in flight when close() happens rejects with TransportError 'closed'", () =>
    Effect.promise(async () => {
      const server = deafFetch(() => "hang")
      const api = apiOver(server.fetch)
      const pending = outcome(api.getWorkspaces())
      await tick()
      await api.close()
      assert.deepStrictEqual(await pending, { tag: "TransportError", reason: "closed" })
    })
  )

  it.live("later calls in flight when close() happens (forked on the built runtime) reject with 'closed'", () =>
    Effect.promise(async () => {
      const server = deafFetch((n) => (n <= 2 ? "ok" : "hang"))
      const api = apiOver(server.fetch)
      assert.deepStrictEqual(await api.getWorkspaces(), ["w1"])
      assert.deepStrictEqual(await api.getWorkspaces(), ["w2"])
      const pending = Array.from({ length: 5 }, (_, i) => outcome(api.getProjects(`ws${i}`)))
      await tick()
      await api.close()
      const outcomes = await Promise.all(pending)
      assert.deepStrictEqual(
        outcomes,
        Array.from({ length: 5 }, () => ({ tag: "TransportError", reason: "closed" }))
      )
    })
  )
})

describe("the facade's call options after the runtime is built", () => {
  it.live(
    "a call with an AbortSignal rejects 'aborted'; one with callTimeoutMs rejects 'deadline'; then calls work",
    () =>
      Effect.promise(async () => {
        const server = deafFetch((n) => (n === 2 || n === 3 ? "hang" : "ok"))
        const api = apiOver(server.fetch, { maxRetries: 0 })
        assert.deepStrictEqual(await api.getWorkspaces(), ["w1"])
        const controller = new AbortController()
        const aborted = outcome(api.getWorkspaces({ signal: controller.signal }))
        await tick()
        controller.abort()
        assert.deepStrictEqual(await aborted, { tag: "TransportError", reason: "aborted" })
        assert.deepStrictEqual(await outcome(api.getWorkspaces({ callTimeoutMs: 100 })), {
          tag: "TransportError",
          reason: "deadline"
        })
        assert.deepStrictEqual(await api.getWorkspaces(), ["w4"])
        await api.close()
      })
  )
})

describe("timeoutMs against a fetch that ignores its signal", () => {
  for (const behaviour of ["hang", "stall"] as const) {
    for (const warm of [false, true]) {
      it.live(
        `${behaviour === "hang" ? "no answer" : "a body stalled mid-way, deaf to cancel"}: the attempt times out and the retry answers (${warm ? "later call" : "first call"})`,
        () =>
          Effect.promise(async () => {
            const first = warm ? 2 : 1
            const server = deafFetch((n) => (n === first ? behaviour : "ok"))
            const api = apiOver(server.fetch, { timeoutMs: 200, maxRetries: 2 })
            if (warm) assert.deepStrictEqual(await api.getWorkspaces(), ["w1"])
            assert.deepStrictEqual(await api.getWorkspaces(), [`w${first + 1}`])
            assert.strictEqual(server.count(), first + 1)
            // the signal fetch got is the platform's for the request head: aborted when no head came
            if (behaviour === "hang") assert.isTrue(server.seen[first - 1]?.aborted)
            await api.close()
          })
      )
    }
  }
})
