import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Duration, Effect, Exit, Layer, Redacted } from "effect"
import { CometConfig, resolve, staticSources } from "../src/CometConfig.js"
import type { ConfigurationError } from "../src/Errors.js"

const KEY = "gKw3yV5sAcGsJUxiKAVgXQrdo"

const fails = (eff: Effect.Effect<unknown, ConfigurationError>): ConfigurationError => {
  const exit = Effect.runSyncExit(eff)
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") return assert.fail("expected a ConfigurationError")
  return exit.cause.error
}

/** The configuration a Layer provides, read with the given ConfigProvider as the current one. */
const withProvider = (layer: Layer.Layer<CometConfig, ConfigurationError>, provider: ConfigProvider.ConfigProvider) =>
  Effect.provide(CometConfig, layer.pipe(Layer.provide(Layer.setConfigProvider(provider))))

describe("CometConfig.resolve (comet_ml's sources)", () => {
  it("explicit options win, with the Python SDK's defaults for the rest", () => {
    const c = Effect.runSync(resolve({ apiKey: KEY, sources: staticSources({ COMET_API_KEY: "other" }) }))
    assert.strictEqual(Redacted.value(c.apiKey), KEY)
    assert.strictEqual(c.apiKeySource, "apiKey")
    assert.strictEqual(c.baseUrl, "https://www.comet.com")
    assert.strictEqual(c.restUrl, "https://www.comet.com/api/rest/v2/")
    assert.isTrue(Duration.equals(c.timeout, Duration.seconds(10)))
    assert.isTrue(Duration.equals(c.downloadTimeout, Duration.seconds(600)))
    assert.strictEqual(c.maxConcurrency, 8)
    assert.strictEqual(c.maxRetries, 8)
    assert.strictEqual(c.rateLimit, null)
    assert.strictEqual(c.allowInsecureHttp, false)
    assert.strictEqual(c.workspace, null)
  })

  it("reads the environment as comet_ml does", () => {
    const c = Effect.runSync(
      resolve({
        sources: staticSources({
          COMET_API_KEY: KEY,
          COMET_URL_OVERRIDE: "http://127.0.0.1:8080/clientlib/",
          COMET_TIMEOUT_API: "3",
          COMET_TIMEOUT_FILE_DOWNLOAD: "60",
          COMET_WORKSPACE: "ws",
          COMET_PROJECT_NAME: "proj",
          COMET_HTTP_SESSION_RETRY_TOTAL: "2",
          COMET_TS_MAX_CONCURRENCY: "3"
        })
      })
    )
    assert.strictEqual(c.apiKeySource, "COMET_API_KEY")
    // Only scheme, host and port of COMET_URL_OVERRIDE are used.
    assert.strictEqual(c.baseUrl, "http://127.0.0.1:8080")
    assert.strictEqual(c.restUrl, "http://127.0.0.1:8080/api/rest/v2/")
    assert.strictEqual(Duration.toMillis(c.timeout), 3000)
    assert.strictEqual(Duration.toMillis(c.downloadTimeout), 60000)
    assert.strictEqual(c.workspace, "ws")
    assert.strictEqual(c.projectName, "proj")
    assert.strictEqual(c.maxRetries, 2)
    assert.strictEqual(c.maxConcurrency, 3)
  })

  it("falls back to ./.env, COMET_CONFIG, ./.comet.config, ~/.comet.config in that order", () => {
    const files = {
      "/home/u/.comet.config": "[comet]\napi_key = home-key-123\nworkspace = home-ws\nproject_name = home-proj\n",
      "/work/.comet.config": "[comet]\n# a comment\nworkspace = cwd-ws ; inline comment\n[comet_timeout]\napi = 7\n",
      "/etc/comet/custom.ini": "[comet]\nurl_override = https://comet.example.com:8443/clientlib/\n",
      "/work/.env": 'export COMET_PROJECT_NAME="dotenv-proj"\n'
    }
    const c = Effect.runSync(
      resolve({
        sources: staticSources({ COMET_CONFIG: "/etc/comet/custom.ini" }, files, { cwd: "/work", home: "/home/u" })
      })
    )
    assert.strictEqual(Redacted.value(c.apiKey), "home-key-123")
    assert.strictEqual(c.apiKeySource, "COMET_API_KEY")
    assert.strictEqual(c.workspace, "cwd-ws")
    assert.strictEqual(c.projectName, "dotenv-proj")
    assert.strictEqual(c.baseUrl, "https://comet.example.com:8443")
    assert.strictEqual(Duration.toMillis(c.timeout), 7000)
  })

  it("COMET_INI wins over COMET_CONFIG; either may name a directory holding .comet.config", () => {
    const files = {
      "/cfg/.comet.config": `[comet]\napi_key=${KEY}\n`,
      "/ini/.comet.config": "[comet]\napi_key=ini-key-456\n"
    }
    const dir = Effect.runSync(resolve({ sources: staticSources({ COMET_CONFIG: "/cfg" }, files) }))
    assert.strictEqual(Redacted.value(dir.apiKey), KEY)
    const both = Effect.runSync(resolve({ sources: staticSources({ COMET_CONFIG: "/cfg", COMET_INI: "/ini" }, files) }))
    assert.strictEqual(Redacted.value(both.apiKey), "ini-key-456")
  })

  it("COMET_CONFIG as comet_ml reads it: ~ is the home directory, a relative path is from the working directory, white space around it is ignored", () => {
    const files = {
      "/home/u/configs/comet.ini": "[comet]\napi_key=from-home-1234\n",
      "/home/u/.comet.config": "[comet]\napi_key=home-default-1234\nworkspace=home-ws\n",
      "/work/configs/comet.ini": "[comet]\napi_key=from-cwd-1234\n",
      "/abs/comet.ini": "[comet]\napi_key=from-abs-1234\n"
    }
    const keyOf = (value: string) =>
      Redacted.value(
        Effect.runSync(
          resolve({ sources: staticSources({ COMET_CONFIG: value }, files, { cwd: "/work", home: "/home/u" }) })
        ).apiKey
      )
    assert.strictEqual(keyOf("~/configs/comet.ini"), "from-home-1234")
    assert.strictEqual(keyOf("configs/comet.ini"), "from-cwd-1234")
    assert.strictEqual(keyOf("./configs/comet.ini"), "from-cwd-1234")
    assert.strictEqual(keyOf("  /abs/comet.ini\n"), "from-abs-1234")
    // "~" alone is the home directory, which holds .comet.config
    assert.strictEqual(keyOf("~"), "home-default-1234")
    // a file that does not exist is skipped, as in comet_ml: the next source answers
    assert.strictEqual(keyOf("~/nope.ini"), "home-default-1234")
  })

  it("an empty value counts as unset (the next source answers); COMET_REST_API_KEY is the key's second name", () => {
    const files = { "/home/u/.comet.config": "[comet]\nworkspace = home-ws\n" }
    const c = Effect.runSync(
      resolve({
        sources: staticSources({ COMET_API_KEY: "", COMET_REST_API_KEY: KEY, COMET_WORKSPACE: "" }, files, {
          home: "/home/u"
        })
      })
    )
    assert.strictEqual(Redacted.value(c.apiKey), KEY)
    assert.strictEqual(c.apiKeySource, "COMET_REST_API_KEY")
    assert.strictEqual(c.workspace, "home-ws")
  })

  it("an empty COMET_URL_OVERRIDE means comet_ml's default server: the files after it are not read (as comet_ml)", () => {
    // comet_ml 3.58.8: everett stops at the first source that has the name, even empty, and
    // config_api.get_comet_url_override reads "" as https://www.comet.com/clientlib/
    const files = { "/home/u/.comet.config": "[comet]\nurl_override = http://127.0.0.1:9999/clientlib/\n" }
    for (const empty of ["", "   "]) {
      const c = Effect.runSync(
        resolve({
          sources: staticSources({ COMET_API_KEY: KEY, COMET_URL_OVERRIDE: empty }, files, { home: "/home/u" })
        })
      )
      assert.strictEqual(c.baseUrl, "https://www.comet.com", JSON.stringify(empty))
    }
    // an empty one in ./.env shadows ~/.comet.config the same way
    const dotEnv = { "/work/.env": "COMET_URL_OVERRIDE=\n", ...files }
    const fromDotEnv = Effect.runSync(
      resolve({ sources: staticSources({ COMET_API_KEY: KEY }, dotEnv, { cwd: "/work", home: "/home/u" }) })
    )
    assert.strictEqual(fromDotEnv.baseUrl, "https://www.comet.com")
    // unset, the file answers
    const unset = Effect.runSync(
      resolve({ sources: staticSources({ COMET_API_KEY: KEY }, files, { home: "/home/u" }) })
    )
    assert.strictEqual(unset.baseUrl, "http://127.0.0.1:9999")
    // Effect's own provider (layerConfigWith): an empty variable is the default server too
    const viaEffect = Effect.runSync(
      Effect.provide(
        CometConfig,
        CometConfig.layerConfigWith({ apiKey: KEY }).pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["COMET_URL_OVERRIDE", ""]]))))
        )
      ).pipe(Effect.scoped)
    )
    assert.strictEqual(viaEffect.baseUrl, "https://www.comet.com")
  })

  it("an unusable value is an error naming the setting and its file, never a fall-through to the next source", () => {
    const files = {
      "/work/.comet.config": "[comet_timeout]\napi = soon\n",
      "/home/u/.comet.config": `[comet]\napi_key = ${KEY}\n[comet_timeout]\napi = 5\n`
    }
    const e = fails(resolve({ sources: staticSources({}, files, { cwd: "/work", home: "/home/u" }) }))
    assert.strictEqual(e.setting, "COMET_TIMEOUT_API")
    assert.include(e.message, '"soon" is not a positive number of seconds')
    assert.include(e.message, "/work/.comet.config")
    const env = fails(
      resolve({ sources: staticSources({ COMET_API_KEY: KEY, COMET_TS_ALLOW_INSECURE_HTTP: "maybe" }) })
    )
    assert.strictEqual(env.setting, "COMET_TS_ALLOW_INSECURE_HTTP")
    assert.include(env.message, "the environment")
  })

  it("a missing key is a clear error, before any request", () => {
    const e = fails(resolve({ sources: staticSources({}) }))
    assert.strictEqual(e._tag, "ConfigurationError")
    assert.strictEqual(e.setting, "apiKey")
    assert.include(e.message, "COMET_API_KEY")
    assert.include(fails(resolve({ apiKey: "   ", sources: staticSources({}) })).message, "empty")
    const spaced = fails(resolve({ apiKey: `${KEY} x`, sources: staticSources({}) }))
    assert.include(spaced.message, "white space")
    assert.notInclude(spaced.message, KEY)
  })

  it("refuses a base URL without scheme, and plain http to a remote host", () => {
    const noScheme = fails(resolve({ apiKey: KEY, baseUrl: "localhost:4820", sources: staticSources({}) }))
    assert.strictEqual(noScheme.setting, "baseUrl")
    assert.include(noScheme.message, "scheme")
    const insecure = fails(resolve({ apiKey: KEY, baseUrl: "http://comet.example.com", sources: staticSources({}) }))
    assert.strictEqual(insecure.setting, "baseUrl")
    assert.include(insecure.message, "allowInsecureHttp")
    assert.notInclude(insecure.message, KEY)
    const fromEnv = fails(
      resolve({ sources: staticSources({ COMET_API_KEY: KEY, COMET_URL_OVERRIDE: "http://comet.example.com" }) })
    )
    assert.strictEqual(fromEnv.setting, "COMET_URL_OVERRIDE")
    const allowed = Effect.runSync(
      resolve({ apiKey: KEY, baseUrl: "http://comet.example.com", allowInsecureHttp: true, sources: staticSources({}) })
    )
    assert.strictEqual(allowed.baseUrl, "http://comet.example.com")
    for (const loop of ["http://localhost:1", "http://127.0.0.1:4820", "http://[::1]:9"]) {
      assert.strictEqual(
        Effect.runSync(resolve({ apiKey: KEY, baseUrl: loop, sources: staticSources({}) })).baseUrl,
        new URL(loop).origin
      )
    }
  })

  it("rejects unusable numbers, naming the option or the variable", () => {
    assert.include(
      fails(resolve({ sources: staticSources({ COMET_API_KEY: KEY, COMET_TIMEOUT_API: "ten" }) })).message,
      "COMET_TIMEOUT_API"
    )
    assert.include(
      fails(resolve({ apiKey: KEY, maxConcurrency: 0, sources: staticSources({}) })).message,
      "maxConcurrency"
    )
    assert.include(fails(resolve({ apiKey: KEY, maxConcurrency: 2.5, sources: staticSources({}) })).message, "integer")
    assert.strictEqual(
      fails(resolve({ apiKey: KEY, rateLimit: { limit: 10, intervalMs: -1 }, sources: staticSources({}) })).setting,
      "rateLimit.intervalMs"
    )
    const limited = Effect.runSync(
      resolve({ apiKey: KEY, rateLimit: { limit: 10, intervalMs: 1000 }, sources: staticSources({}) })
    )
    assert.deepStrictEqual(limited.rateLimit, { limit: 10, interval: Duration.millis(1000) })
  })

  it("the resolved key prints redacted", () => {
    const c = Effect.runSync(resolve({ apiKey: KEY, sources: staticSources({}) }))
    assert.notInclude(String(c.apiKey), KEY)
    assert.notInclude(JSON.stringify(c), KEY)
  })
})

describe("CometConfig through Effect's ConfigProvider", () => {
  it.effect("layerConfig reads ConfigProvider.fromMap: no environment needed", () =>
    Effect.gen(function* () {
      const c = yield* withProvider(
        CometConfig.layerConfig,
        ConfigProvider.fromMap(
          new Map([
            ["COMET_API_KEY", KEY],
            ["COMET_URL_OVERRIDE", "http://127.0.0.1:4820"],
            ["COMET_TIMEOUT_API", "2.5"],
            ["COMET_WORKSPACE", "ws"]
          ])
        )
      )
      assert.isTrue(Redacted.isRedacted(c.apiKey))
      assert.strictEqual(Redacted.value(c.apiKey), KEY)
      assert.strictEqual(c.baseUrl, "http://127.0.0.1:4820")
      assert.strictEqual(Duration.toMillis(c.timeout), 2500)
      assert.strictEqual(c.workspace, "ws")
      assert.strictEqual(c.maxConcurrency, 8)
    })
  )

  it.effect("layerConfig reads ConfigProvider.fromJson", () =>
    Effect.gen(function* () {
      const c = yield* withProvider(
        CometConfig.layerConfig,
        ConfigProvider.fromJson({ COMET_API_KEY: KEY, COMET_HTTP_SESSION_RETRY_TOTAL: 0, COMET_TS_MAX_CONCURRENCY: 2 })
      )
      assert.strictEqual(c.maxRetries, 0)
      assert.strictEqual(c.maxConcurrency, 2)
    })
  )

  it.effect("layerConfigWith: explicit options over the current provider", () =>
    Effect.gen(function* () {
      const c = yield* withProvider(
        CometConfig.layerConfigWith({ maxConcurrency: 16 }),
        ConfigProvider.fromJson({ COMET_API_KEY: KEY, COMET_TS_MAX_CONCURRENCY: 2 })
      )
      assert.strictEqual(c.maxConcurrency, 16)
    })
  )

  it.effect("a provider's bad value and a missing key are ConfigurationErrors naming the setting", () =>
    Effect.gen(function* () {
      const bad = yield* Effect.flip(
        withProvider(CometConfig.layerConfig, ConfigProvider.fromJson({ COMET_API_KEY: KEY, COMET_TIMEOUT_API: "x" }))
      )
      assert.strictEqual(bad._tag, "ConfigurationError")
      assert.strictEqual(bad.setting, "COMET_TIMEOUT_API")
      const missing = yield* Effect.flip(withProvider(CometConfig.layerConfig, ConfigProvider.fromJson({})))
      assert.strictEqual(missing.setting, "apiKey")
      assert.include(missing.message, "COMET_API_KEY")
    })
  )

  it.effect("CometConfig.provider composes with other providers (here: a map first, then comet_ml's files)", () =>
    Effect.gen(function* () {
      const files = { "/home/u/.comet.config": `[comet]\napi_key = ${KEY}\nworkspace = home-ws\n` }
      const c = yield* withProvider(
        CometConfig.layerConfig,
        ConfigProvider.fromMap(new Map([["COMET_WORKSPACE", "map-ws"]])).pipe(
          ConfigProvider.orElse(() => CometConfig.provider(staticSources({}, files, { home: "/home/u" })))
        )
      )
      assert.strictEqual(Redacted.value(c.apiKey), KEY)
      assert.strictEqual(c.workspace, "map-ws")
    })
  )

  it.effect("CometConfig.config is an Effect Config: it sits next to Effect's own Config in one program", () =>
    Effect.gen(function* () {
      const both = yield* Config.all({ comet: CometConfig.config, port: Config.integer("PORT") }).pipe(
        Effect.withConfigProvider(ConfigProvider.fromJson({ COMET_API_KEY: KEY, PORT: 8080 }))
      )
      assert.strictEqual(both.port, 8080)
      assert.strictEqual(Redacted.value(both.comet.apiKey), KEY)
    })
  )

  it.effect("comet_ml's provider also serves a program's own Config (path segments join with _)", () =>
    Effect.gen(function* () {
      const files = { "/home/u/.comet.config": "[comet]\nworkspace = home-ws\n" }
      const ws = yield* Config.string("WORKSPACE").pipe(
        Config.nested("COMET"),
        Effect.withConfigProvider(CometConfig.provider(staticSources({}, files, { home: "/home/u" })))
      )
      assert.strictEqual(ws, "home-ws")
    })
  )
})

describe("an API key set under another variable by mistake", () => {
  const KEY_TEXT = "abcdefghijklmnopqrstuvwxyz012345"
  const failure = (env: Record<string, string>): ConfigurationError => {
    const exit = Effect.runSyncExit(resolve({ sources: staticSources(env) }))
    if (Exit.isSuccess(exit)) return assert.fail("resolved")
    const e = exit.cause._tag === "Fail" ? exit.cause.error : assert.fail(String(exit.cause))
    return e
  }
  it("is masked in the error about that variable, as a key given explicitly is", () => {
    for (const [name, value] of [
      ["COMET_URL_OVERRIDE", KEY_TEXT],
      ["COMET_TIMEOUT_API", KEY_TEXT]
    ] as const) {
      const e = failure({ COMET_API_KEY: KEY_TEXT, [name]: value })
      assert.include(e.message, name)
      assert.notInclude(e.message, KEY_TEXT, e.message)
      assert.notInclude(e.message, KEY_TEXT.slice(0, 20), e.message)
    }
  })
  it("the other variable's problem is still named (masking hides only the key)", () => {
    const e = failure({ COMET_API_KEY: KEY_TEXT, COMET_TIMEOUT_API: "soon" })
    assert.include(e.message, '"soon" is not a positive number of seconds')
  })
})
