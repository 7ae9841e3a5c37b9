/**
 * `CometConfig.layer` / `resolve` / `layerConfigWith` (what Effect users call) refuse option
 * names they do not have — `api_key`, `baseURL`, an inherited or symbol name, a Map — as
 * `new API(...)` does: a ConfigurationError naming the option and the one meant, before any
 * source is read, the API key never shown (not even when it is used as a name, cut short in a
 * long name or symbol description, or given under another option: `baseUrl: key`). A Proxy
 * listing a name it then denies having is unreadable; `Inputs.settingsOf` reads options once.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Exit, Layer, Redacted } from "effect"
import * as fc from "fast-check"
import { CometConfig, type CometOptions, ConfigurationError, Inputs } from "../src/index.js"

/** A key no test holds for scrubbing, so a leak would show. */
const KEY = "Zq8uT3kLmN0pR7sV2wX5yA1bC"
const sources = CometConfig.staticSources({ COMET_API_KEY: "e".repeat(32) })

const failure = (options: unknown): ConfigurationError => {
  const exit = Effect.runSyncExit(CometConfig.resolve(options as CometOptions))
  if (Exit.isSuccess(exit)) return assert.fail("resolved")
  const e = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  assert.instanceOf(e, ConfigurationError)
  return e as ConfigurationError
}

describe("CometConfig option names", () => {
  it("a misspelt or unknown name is a ConfigurationError naming it and the option meant", () => {
    for (const [options, setting, meant] of [
      [{ api_key: KEY, sources }, "api_key", "apiKey"],
      [{ baseURL: "https://comet.example.invalid", sources }, "baseURL", "baseUrl"],
      [{ timeout: 5000, sources }, "timeout", "timeoutMs"],
      [{ colour: "red", sources }, "colour", null],
      [{ rateLimit: { limit: 5, intervalMs: 1000, burst: 2 }, sources }, "rateLimit.burst", null]
    ] as const) {
      const e = failure(options)
      assert.strictEqual(e.setting, setting)
      assert.include(e.message, `Configuration problem with ${setting}: is not an option of `)
      if (meant === null) assert.notInclude(e.message, "did you mean")
      else assert.include(e.message, `(did you mean ${meant}?)`)
      assert.notInclude(JSON.stringify(e), KEY)
    }
  })

  it.effect("layer and layerConfigWith refuse them too (the Effect users' entries)", () =>
    Effect.gen(function* () {
      for (const layer of [
        CometConfig.layer({ api_key: KEY, sources } as never),
        CometConfig.layerConfigWith({ api_key: KEY } as never).pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["COMET_API_KEY", "e".repeat(32)]]))))
        )
      ]) {
        const exit = yield* Effect.exit(Effect.provide(CometConfig, layer))
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) {
          assert.include(String(exit.cause), "Configuration problem with api_key: is not an option of CometConfig")
          assert.include(String(exit.cause), "(did you mean apiKey?)")
        }
      }
    })
  )

  it("an inherited name, a symbol name, a Map and unreadable names are refused, not read as nothing", () => {
    assert.include(failure(Object.assign(Object.create({ baseUrl: "http://x" }), { sources })).message, "is inherited")
    assert.include(failure({ sources, [Symbol("apiKey")]: KEY }).message, "Symbol(apiKey): is not an option")
    const map = failure(new Map([["apiKey", KEY]]))
    assert.strictEqual(map.setting, "options")
    assert.include(map.message, "not a Map")
    const hiding = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no")
        }
      }
    )
    assert.include(failure(hiding).message, "cannot be read")
  })

  it("the API key used as a name (string or symbol) is masked, the key given as a string or a Redacted", () => {
    for (const apiKey of [KEY, Redacted.make(KEY)]) {
      for (const options of [
        { apiKey, sources, [KEY]: 1 },
        { apiKey, sources, [Symbol(KEY)]: 1 }
      ]) {
        const e = failure(options)
        assert.include(e.message, "is not an option of CometConfig")
        assert.notInclude(e.message, KEY)
        assert.notInclude(JSON.stringify(e), KEY)
      }
    }
  })

  it("every name the type declares passes; any other name is refused (property)", () => {
    const known = [
      "apiKey",
      "baseUrl",
      "timeoutMs",
      "downloadTimeoutMs",
      "maxConcurrency",
      "maxRetries",
      "rateLimit",
      "allowInsecureHttp",
      "proxy",
      "workspace",
      "projectName",
      "sources"
    ]
    const ok = Effect.runSync(
      CometConfig.resolve({
        apiKey: KEY,
        baseUrl: "https://comet.example",
        timeoutMs: 1000,
        downloadTimeoutMs: 1000,
        maxConcurrency: 2,
        maxRetries: 1,
        rateLimit: { limit: 5, intervalMs: 1000 },
        allowInsecureHttp: false,
        proxy: false,
        workspace: "w",
        projectName: "p",
        sources
      })
    )
    assert.strictEqual(ok.workspace, "w")
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }).filter((k) => !known.includes(k) && k !== "__proto__"),
        (name) => {
          const e = failure({ apiKey: KEY, sources, [name]: KEY })
          assert.include(e.message, "is not an option of CometConfig")
          assert.notInclude(JSON.stringify(e), KEY)
        }
      )
    )
  })
})

/** No source at all (the key is the explicit one). */
const none = CometConfig.staticSources({})

/** No 8 consecutive characters of the key appear in `text`. */
const noPartOfKey = (text: string) => {
  for (let i = 0; i + 8 <= KEY.length; i++) assert.notInclude(text, KEY.slice(i, i + 8), text)
}

describe("options review (API keys in names and values, lying Proxies, reading once)", () => {
  it("an API key in a long name or symbol description is masked before the name is cut", () => {
    for (const options of [
      { ["x".repeat(30) + KEY]: 1 },
      { [`${KEY}${"y".repeat(80)}`]: 1 },
      { [Symbol("abc" + KEY)]: 1 },
      { [Symbol("k=" + KEY + "z".repeat(40))]: 1 }
    ]) {
      const e = Inputs.unknownSetting(options, ["apiKey"], "CometConfig", { apiKey: KEY })
      assert.isNotNull(e)
      assert.include(e!.message, "is not an option of CometConfig")
      noPartOfKey(e!.message)
      noPartOfKey(JSON.stringify(e))
      const c = failure({ apiKey: KEY, sources: none, ...options })
      noPartOfKey(c.message)
      noPartOfKey(JSON.stringify(c))
    }
  })

  it("an API key given under another option is masked in the value's error", () => {
    for (const [options, setting] of [
      [{ apiKey: KEY, baseUrl: KEY, sources: none }, "baseUrl"],
      [{ apiKey: Redacted.make(KEY), baseUrl: `https://${KEY}` + ":x:y", sources: none }, "baseUrl"],
      [{ apiKey: KEY, timeoutMs: KEY, sources: none }, "timeoutMs"],
      [{ apiKey: KEY, maxRetries: KEY, sources: none }, "maxRetries"]
    ] as const) {
      const e = failure(options)
      assert.strictEqual(e.setting, setting, e.message)
      noPartOfKey(e.message)
      noPartOfKey(JSON.stringify(e))
    }
  })

  it("a Proxy that lists a name it then denies having is unreadable, not empty options", () => {
    const lying = new Proxy({} as Record<string, unknown>, {
      ownKeys: () => ["baseURL"],
      getOwnPropertyDescriptor: () => undefined,
      get: (_t, p) => (p === "baseURL" ? "https://elsewhere.invalid" : undefined)
    })
    assert.deepStrictEqual(Inputs.unknownOption(lying, ["baseUrl"]), { key: "", suggestion: null, unreadable: true })
    const e = failure(lying)
    assert.strictEqual(e.setting, "options")
    assert.include(e.message, "cannot be read")
  })

  it("settingsOf reads each known name once into a frozen object; a throwing getter is the error naming it", () => {
    let reads = 0
    const flip = {
      get fetch() {
        reads++
        return reads === 1 ? "first" : "second"
      }
    }
    const read = Inputs.settingsOf(flip, ["fetch", "init"], "Transport.layerFetch")
    assert.isTrue(Either.isRight(read))
    const snapshot = Either.getOrThrow(read) as Record<string, unknown>
    assert.deepStrictEqual({ ...snapshot }, { fetch: "first" })
    assert.isTrue(Object.isFrozen(snapshot))
    assert.strictEqual(reads, 1)
    const throwing = Inputs.settingsOf(
      {
        get init(): unknown {
          throw new Error(KEY)
        }
      },
      ["fetch", "init"],
      "Transport.layerFetch"
    )
    assert.isTrue(Either.isLeft(throwing))
    const e = Either.flip(throwing).pipe(Either.getOrThrow)
    assert.instanceOf(e, ConfigurationError)
    assert.strictEqual(e.setting, "init")
    assert.include(e.message, "cannot be read: reading it threw")
    noPartOfKey(JSON.stringify(e))
    // nothing and no object
    assert.deepStrictEqual(Either.getOrThrow(Inputs.settingsOf(undefined, ["fetch"], "x")), {})
    const five = Inputs.settingsOf(5 as never, ["fetch"], "Transport.layerFetch")
    assert.include(Either.flip(five).pipe(Either.getOrThrow).message, "not the number 5")
    const inv = Inputs.argumentOf(
      {
        get chunkSize(): number {
          throw new Error("x")
        }
      },
      ["chunkSize"],
      "Chart.stream",
      "options"
    )
    const ia = Either.flip(inv).pipe(Either.getOrThrow)
    assert.strictEqual(ia._tag, "InvalidArgument")
    assert.strictEqual(ia.argument, "options.chunkSize")
  })
})
