/**
 * `new API({ http })`: a wrong nested transport setting names the facade's option (`http.cache`)
 * and what it must be; an option name that names no option is refused with the one it meant.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Capture, emulator, facade, SECRET } from "./support/facade.js"

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail("resolved"),
    (e: unknown) => e as { readonly _tag: string; readonly message: string }
  )

describe("http options", () => {
  it.live("a cache that is not { capacity, timeToLive } is named http.cache, with its shape", () =>
    Effect.promise(async () => {
      const emu = emulator()
      for (const [cache, got] of [
        [5, "5"],
        ["big", '"big"'],
        [[1], "an array"]
      ] as const) {
        const api = facade(emu.fetch, new Capture(), { http: { cache: cache as never } })
        const e = await rejection(api.getWorkspaces())
        assert.strictEqual(e._tag, "ConfigurationError")
        assert.strictEqual(
          e.message,
          `Configuration problem with http.cache: must be an object { capacity, timeToLive } (capacity: a positive integer; timeToLive: a duration such as "5 minutes"; optional maxEntryBytes), or null for none; got ${got}`
        )
      }
      const api = facade(emu.fetch, new Capture(), { http: { cache: { capacity: 0, timeToLive: "1 minute" } } })
      assert.strictEqual(
        (await rejection(api.getWorkspaces())).message,
        "Configuration problem with http.cache.capacity: must be a positive integer"
      )
      const budget = facade(emu.fetch, new Capture(), { http: { retryBudget: "soon" as never } })
      assert.strictEqual(
        (await rejection(budget.getWorkspaces())).message,
        "Configuration problem with http.retryBudget: must be a finite duration"
      )
    })
  )
})

describe("unknown option names", () => {
  it.live("a misspelt option of new API(...) is refused before any request, naming the option it meant", () =>
    Effect.promise(async () => {
      const emu = emulator()
      for (const [options, setting, meant] of [
        [{ baseURL: "https://comet.example.invalid" }, "baseURL", "baseUrl"],
        [{ base_url: "https://comet.example.invalid" }, "base_url", "baseUrl"],
        [{ api_key: "another" }, "api_key", "apiKey"],
        [{ maxRetires: 3 }, "maxRetires", "maxRetries"],
        [{ timeout: 5000 }, "timeout", "timeoutMs"],
        [{ http: { retryBudgt: "1 minute" } }, "http.retryBudgt", "retryBudget"],
        [{ http: { cache: { capacity: 5, timeToLive: "1 minute", ttl: 9 } } }, "http.cache.ttl", null],
        [{ colour: "red" }, "colour", null]
      ] as const) {
        const capture = new Capture()
        const api = facade(emu.fetch, capture, options as never)
        const e = await rejection(api.getWorkspaces())
        assert.strictEqual(e._tag, "ConfigurationError")
        assert.include(e.message, `Configuration problem with ${setting}: is not an option of `)
        if (meant === null) assert.notInclude(e.message, "did you mean")
        else assert.include(e.message, `(did you mean ${meant}?)`)
        assert.deepStrictEqual(capture.requests, [], "nothing is sent with a misspelt option")
        await api.close()
      }
    })
  )

  it.live("every option the types declare is accepted, and arrays or null are left to the type check", () =>
    Effect.promise(async () => {
      const emu = emulator()
      const api = facade(emu.fetch, new Capture(), {
        timeoutMs: 5000,
        downloadTimeoutMs: 5000,
        maxConcurrency: 4,
        maxRetries: 2,
        rateLimit: null as never,
        allowInsecureHttp: false,
        proxy: false,
        workspace: null as never,
        projectName: undefined,
        chartChunkSize: 10,
        orStrategy: "dnf",
        callTimeoutMs: 10_000,
        http: {
          cache: { capacity: 5, timeToLive: "1 minute", maxEntryBytes: 1000 },
          retryBudget: "1 minute",
          retryBaseDelay: 10,
          retryMaxDelay: 100,
          maxBodyBytes: 1 << 20,
          maxJsonBytes: 1 << 20,
          rateLimitAlgorithm: "fixed-window",
          manualRedirects: true
        }
      })
      assert.isAbove((await api.getWorkspaces()).length, 0)
      await api.close()
    })
  )
})

describe("abort messages", () => {
  it.live("name the method and the signal's reason (timeout, custom, scrubbed of the key)", () =>
    Effect.promise(async () => {
      const api = facade(emulator({ latency: "200" }).fetch, new Capture())
      const timedOut = await rejection(api.getWorkspaces({ signal: AbortSignal.timeout(1) }))
      assert.strictEqual(timedOut._tag, "TransportError")
      assert.include(timedOut.message, "getWorkspaces")
      assert.include(timedOut.message, "its AbortSignal timed out (AbortSignal.timeout)")
      const controller = new AbortController()
      controller.abort(new Error(`page closed by ${SECRET}`))
      const custom = await rejection(api.getProjects("local-dev", { signal: controller.signal }))
      assert.include(custom.message, "getProjects")
      assert.include(custom.message, "Error: page closed by")
      assert.notInclude(custom.message, SECRET)
    })
  )
})
