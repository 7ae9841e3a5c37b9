import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Redacted } from "effect"
import { resolve, staticSources } from "../src/Config.js"
import type { ConfigurationError } from "../src/Errors.js"

const KEY = "gKw3yV5sAcGsJUxiKAVgXQrdo"

const fails = (eff: Effect.Effect<unknown, ConfigurationError>): ConfigurationError => {
  const exit = Effect.runSyncExit(eff)
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") return assert.fail("expected a ConfigurationError")
  return exit.cause.error
}

describe("Config.resolve", () => {
  it("explicit options win, with the Python SDK's defaults for the rest", () => {
    const c = Effect.runSync(resolve({ apiKey: KEY, sources: staticSources({ COMET_API_KEY: "other" }) }))
    assert.strictEqual(Redacted.value(c.apiKey), KEY)
    assert.strictEqual(c.apiKeySource, "option")
    assert.strictEqual(c.baseUrl, "https://www.comet.com")
    assert.strictEqual(c.restUrl, "https://www.comet.com/api/rest/v2/")
    assert.isTrue(Duration.equals(c.timeout, Duration.seconds(10)))
    assert.isTrue(Duration.equals(c.downloadTimeout, Duration.seconds(600)))
    assert.strictEqual(c.maxConcurrency, 8)
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
          COMET_HTTP_SESSION_RETRY_TOTAL: "2"
        })
      })
    )
    assert.strictEqual(c.apiKeySource, "env")
    // Only scheme, host and port of COMET_URL_OVERRIDE are used.
    assert.strictEqual(c.baseUrl, "http://127.0.0.1:8080")
    assert.strictEqual(c.restUrl, "http://127.0.0.1:8080/api/rest/v2/")
    assert.strictEqual(Duration.toMillis(c.timeout), 3000)
    assert.strictEqual(Duration.toMillis(c.downloadTimeout), 60000)
    assert.strictEqual(c.workspace, "ws")
    assert.strictEqual(c.projectName, "proj")
    assert.strictEqual(c.maxRetries, 2)
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
    assert.strictEqual(c.apiKeySource, "/home/u/.comet.config")
    assert.strictEqual(c.workspace, "cwd-ws")
    assert.strictEqual(c.projectName, "dotenv-proj")
    assert.strictEqual(c.baseUrl, "https://comet.example.com:8443")
    assert.strictEqual(Duration.toMillis(c.timeout), 7000)
  })

  it("COMET_CONFIG may name a directory holding .comet.config", () => {
    const c = Effect.runSync(
      resolve({
        sources: staticSources({ COMET_CONFIG: "/cfg" }, { "/cfg/.comet.config": `[comet]\napi_key=${KEY}\n` })
      })
    )
    assert.strictEqual(Redacted.value(c.apiKey), KEY)
  })

  it("a missing key is a clear error, before any request", () => {
    const e = fails(resolve({ sources: staticSources({}) }))
    assert.strictEqual(e._tag, "ConfigurationError")
    assert.strictEqual(e.setting, "apiKey")
    assert.include(e.message, "COMET_API_KEY")
    assert.include(fails(resolve({ apiKey: "   ", sources: staticSources({}) })).message, "empty")
  })

  it("refuses a base URL without scheme, and plain http to a remote host", () => {
    const noScheme = fails(resolve({ apiKey: KEY, baseUrl: "localhost:4820", sources: staticSources({}) }))
    assert.include(noScheme.message, "scheme")
    const insecure = fails(resolve({ apiKey: KEY, baseUrl: "http://comet.example.com", sources: staticSources({}) }))
    assert.include(insecure.message, "allowInsecureHttp")
    assert.notInclude(insecure.message, KEY)
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

  it("rejects unusable numbers", () => {
    assert.include(
      fails(resolve({ sources: staticSources({ COMET_API_KEY: KEY, COMET_TIMEOUT_API: "ten" }) })).message,
      "COMET_TIMEOUT_API"
    )
    assert.include(
      fails(resolve({ apiKey: KEY, maxConcurrency: 0, sources: staticSources({}) })).message,
      "maxConcurrency"
    )
    assert.include(fails(resolve({ apiKey: KEY, maxConcurrency: 2.5, sources: staticSources({}) })).message, "integer")
  })

  it("the resolved key prints redacted", () => {
    const c = Effect.runSync(resolve({ apiKey: KEY, sources: staticSources({}) }))
    assert.notInclude(String(c.apiKey), KEY)
    assert.notInclude(JSON.stringify(c), KEY)
  })
})
