/**
 * Option names from JavaScript that name no option — `new API({ baseURL })`, `http: {
 * retryBudgt }`, a call's `{ full: true }` — are refused with the option most likely meant,
 * before anything is sent, instead of being dropped into a default (another server, a sampled
 * chart). Every name the types declare is accepted.
 */

import { CometConfig } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import { API, CometApi } from "../src/index.js"
import { Capture, emulator, facade, SECRET } from "./support/facade.js"

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail("resolved"),
    (e: unknown) => e as { readonly _tag: string; readonly message: string }
  )

/** The error refusing a name: its tag, a text it holds, and the option it suggests (or none). */
const refused = (
  e: { readonly _tag: string; readonly message: string },
  tag: string,
  text: string,
  meant: string | null
) => {
  assert.strictEqual(e._tag, tag, text)
  assert.include(e.message, text)
  if (meant === null) assert.notInclude(e.message, "did you mean")
  else assert.include(e.message, `(did you mean ${meant}?)`)
}

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
        refused(e, "ConfigurationError", `Configuration problem with ${setting}: is not an option of `, meant)
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
      // null reads as "not given" (Python's None) for every option, after the names are checked
      const nulls = facade(emu.fetch, new Capture(), {
        http: null as never,
        chartChunkSize: null as never,
        orStrategy: null as never,
        callTimeoutMs: null as never,
        maxRetries: null as never
      })
      assert.isAbove((await nulls.getWorkspaces()).length, 0)
      await nulls.close()
      // httpClient: null is the default transport (here: nothing listens, a typed network error)
      const defaults = new API({
        apiKey: "k",
        baseUrl: "http://127.0.0.1:1",
        maxRetries: 0,
        panel: false,
        httpClient: null as never
      })
      const e = await rejection(defaults.getWorkspaces())
      assert.strictEqual(e._tag, "TransportError")
      await defaults.close()
    })
  )
})

describe("unknown call options", () => {
  it.live("a misspelt option of a call is an InvalidArgument naming it and the option meant; nothing is sent", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const capture = new Capture()
      const api = facade(emu.fetch, capture)
      const key = exp.experimentKey
      for (const [call, argument, meant] of [
        [() => api.getMetricsForChart([key], ["loss"], [], { full: true } as never), "options.full", "fetchFull"],
        [
          () => api.getMetricsForChart([key], ["loss"], [], { fetch_full: true } as never),
          "options.fetch_full",
          "fetchFull"
        ],
        [() => api.getExperimentMetadata(key, { colour: 5 } as never), "options.colour", null],
        [() => api.getWorkspaces({ signl: AbortSignal.timeout(1000) } as never), "options.signl", "signal"],
        [
          () => api.query("ws", "proj", 'Metric("loss") < 1', { archive: true } as never),
          "options.archive",
          "archived"
        ],
        [() => api.getExperimentByName("x", { workspaceName: "ws" } as never), "options.workspaceName", "workspace"]
      ] as const) {
        const e = await rejection(call())
        refused(e, "InvalidArgument", `${argument}`, meant)
        assert.include(e.message, "is not an option of any call")
      }
      assert.deepStrictEqual(capture.requests, [], "nothing is sent with a misspelt option")
      await api.close()
    })
  )

  it.live("the declared options and the call options pass together", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const api = facade(emu.fetch, new Capture())
      const signal = new AbortController().signal
      const chart = await api.getMetricsForChart([exp.experimentKey], ["loss"], [], {
        fetchFull: true,
        independentMetrics: true,
        onProgress: () => {},
        signal,
        callTimeoutMs: 30_000
      })
      assert.deepStrictEqual(Object.keys(chart), [exp.experimentKey])
      const experiment = await api.getExperimentByKey(exp.experimentKey)
      assert.strictEqual(await experiment.getName({ maxLength: 100, signal }), await experiment.getName())
      await api.close()
    })
  )

  it.effect("the Effect API refuses the same names", () =>
    Effect.gen(function* () {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const api = facade(emu.fetch, new Capture())
      const exit = yield* Effect.promise(() =>
        api.run(
          Effect.exit(
            Effect.flatMap(CometApi, (c) =>
              c.getMetricsForChart([exp.experimentKey], ["loss"], [], { fullFetch: true } as never)
            )
          )
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) assert.include(String(exit.cause), "options.fullFetch")
      yield* Effect.promise(() => api.close())
    })
  )
})

describe("unknown option names never carry a secret, and reading them never throws", () => {
  /** A key no client holds (so no registered-secret scrubbing hides a leak). */
  const KEY = "Zq8uT3kLmN0pR7sV2wX5yA1bC"

  it.live("the value given under an unknown call option is described by type, not shown (it may be a key)", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const api = facade(emu.fetch, new Capture())
      for (const call of [
        () => api.getExperimentMetadata(exp.experimentKey, { apiKey: KEY } as never),
        () => api.getWorkspaces({ api_key: KEY } as never),
        () => api.run(Effect.void, { token: Redacted.value(Redacted.make(KEY)) } as never)
      ]) {
        const e = await rejection(call())
        assert.strictEqual(e._tag, "InvalidArgument")
        assert.include(e.message, "is not an option of any call")
        assert.include(e.message, '"a string"')
        assert.notInclude(e.message, KEY)
        assert.notInclude(JSON.stringify(e), KEY)
      }
      await api.close()
    })
  )

  it.live("an API key used as an option name of new API(...) is masked in the error", () =>
    Effect.promise(async () => {
      for (const apiKey of [KEY, Redacted.make(KEY)]) {
        for (const options of [{ [KEY]: true }, { http: { [KEY]: 1 } }, { http: { cache: { [KEY]: 1 } } }]) {
          const api = new API({ apiKey, baseUrl: "http://127.0.0.1:1", panel: false, ...options } as never)
          const e = await rejection(api.getWorkspaces())
          assert.strictEqual(e._tag, "ConfigurationError")
          assert.include(e.message, "is not an option of")
          assert.notInclude(e.message, KEY)
          assert.notInclude(JSON.stringify(e), KEY)
          await api.close()
        }
      }
    })
  )

  it.live("http settings whose cache getter throws are a ConfigurationError, not an exception from new API(...)", () =>
    Effect.promise(async () => {
      const http = {
        get cache(): never {
          throw new Error("getter")
        }
      }
      const api = new API({ apiKey: KEY, baseUrl: "http://127.0.0.1:1", panel: false, http } as never)
      const e = await rejection(api.getWorkspaces())
      assert.strictEqual(e._tag, "ConfigurationError")
      await api.close()
    })
  )
})

describe("options objects whose names cannot be listed", () => {
  // a Proxy whose ownKeys throws reads as empty to the type check: an object hiding its names
  // must not pass as "no options" (no key → another source's key, no baseUrl → the default server)
  const hiding = (): object =>
    new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("ownKeys")
        }
      }
    )

  it.live("new API(...), its http settings and a call's options refuse them by name; nothing is sent", () =>
    Effect.promise(async () => {
      const emu = emulator()
      const unreadable = new API(hiding() as never)
      const whole = await rejection(unreadable.getWorkspaces())
      assert.strictEqual(whole._tag, "ConfigurationError", whole.message)
      assert.include(whole.message, "Configuration problem with options: cannot be read")
      await unreadable.close()
      const refusing = new Capture()
      const http = facade(emu.fetch, refusing, { http: hiding() as never })
      const e = await rejection(http.getWorkspaces())
      assert.strictEqual(e._tag, "ConfigurationError", e.message)
      assert.include(e.message, "Configuration problem with http.settings: cannot be read")
      await http.close()
      const capture = new Capture()
      const api = facade(emu.fetch, capture)
      for (const call of [() => api.getWorkspaces(hiding() as never), () => api.getProjects("ws", hiding() as never)]) {
        const c = await rejection(call())
        assert.strictEqual(c._tag, "InvalidArgument", c.message)
        assert.include(c.message, "Invalid options")
        assert.include(c.message, "cannot be read")
      }
      await api.close()
      assert.deepStrictEqual([...refusing.requests, ...capture.requests], [], "nothing is sent")
    })
  )
})

describe("options a JavaScript object only inherits", () => {
  it.live(
    "new API(...) refuses a known option it would drop (a prototype's property, a class getter); nothing is sent",
    () =>
      Effect.promise(async () => {
        const emu = emulator()
        class Settings {
          get baseUrl(): string {
            return "https://comet.example.invalid"
          }
        }
        const capture = new Capture()
        const own = {
          apiKey: SECRET,
          panel: false,
          sources: CometConfig.staticSources({}),
          httpClient: capture.client(emu.fetch)
        }
        for (const options of [
          Object.assign(Object.create({ baseUrl: "https://comet.example.invalid" }), own),
          Object.assign(new Settings(), own)
        ]) {
          const api = new API(options)
          const e = await rejection(api.getWorkspaces())
          assert.strictEqual(e._tag, "ConfigurationError")
          assert.include(e.message, "Configuration problem with baseUrl: is inherited")
          assert.deepStrictEqual(capture.requests, [])
          await api.close()
        }
      })
  )

  it.live("a call refuses an inherited option; own ones (Object.create(null), frozen, non-enumerable) pass", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const capture = new Capture()
      const api = facade(emu.fetch, capture)
      const e = await rejection(
        api.getMetricsForChart([exp.experimentKey], ["loss"], [], Object.create({ fetchFull: true }))
      )
      assert.strictEqual(e._tag, "InvalidArgument")
      assert.include(e.message, "options.fetchFull")
      assert.include(e.message, "is inherited")
      assert.deepStrictEqual(capture.requests, [])
      const own = Object.defineProperty(Object.create(null), "callTimeoutMs", { value: 30_000, enumerable: false })
      const frozen = Object.freeze({ fetchFull: true, signal: new AbortController().signal })
      for (const options of [own, frozen]) {
        const chart = await api.getMetricsForChart([exp.experimentKey], ["loss"], [], options)
        assert.deepStrictEqual(Object.keys(chart), [exp.experimentKey])
      }
      await api.close()
    })
  )

  it.live("http settings are read as given: inherited ones are used, not refused", () =>
    Effect.promise(async () => {
      const emu = emulator()
      const api = facade(emu.fetch, new Capture(), { http: Object.create({ retryBudget: "soon" }) })
      const e = await rejection(api.getWorkspaces())
      assert.strictEqual(e.message, "Configuration problem with http.retryBudget: must be a finite duration")
      const throwing = facade(emu.fetch, new Capture(), {
        http: new Proxy(
          {},
          {
            get: () => {
              throw new Error("trap")
            }
          }
        )
      })
      const t = await rejection(throwing.getWorkspaces())
      assert.strictEqual(t._tag, "ConfigurationError")
      assert.include(t.message, "Configuration problem with http.settings: cannot be read")
      await throwing.close()
      await api.close()
    })
  )
})
