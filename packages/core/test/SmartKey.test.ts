/**
 * Self-hosted "smart" keys, as comet_ml 3.58.8 reads them (`comet_ml/api_key/comet_api_key.py`,
 * `config_api.get_api_key`): `<key>*<base64 JSON>` names its server in `baseUrl`; with no
 * explicit URL requests go there; `baseUrl` and `COMET_URL_OVERRIDE` still win (with a warning
 * when they differ, as comet_ml warns); the whole key is what `Authorization` carries (comet_ml
 * sends `CometApiKey.api_key`, the raw text); a malformed key is a ConfigurationError that does
 * not show it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Logger, Redacted } from "effect"
import { layer, resolve, staticSources } from "../src/CometConfig.js"
import type { ConfigurationError } from "../src/Errors.js"
import { scrub } from "../src/internal/secrets.js"

const SHORT = "Xq7wVb2mPz9KcL4nRt8YuHs3d"
const b64 = (json: unknown) => Buffer.from(JSON.stringify(json)).toString("base64")
const smart = (attributes: unknown) => `${SHORT}*${b64(attributes)}`

const run = (options: Parameters<typeof resolve>[0], logs: Array<string> = []) =>
  Effect.runSyncExit(
    resolve(options).pipe(
      Effect.provide(
        Logger.replace(
          Logger.defaultLogger,
          Logger.make(({ message }) => logs.push(String(message)))
        )
      )
    )
  )

const ok = (options: Parameters<typeof resolve>[0], logs?: Array<string>) => {
  const exit = run(options, logs)
  if (Exit.isFailure(exit)) return assert.fail(`expected a configuration, got ${String(exit.cause)}`)
  return exit.value
}

const fails = (options: Parameters<typeof resolve>[0]): ConfigurationError => {
  const exit = run(options)
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") return assert.fail("expected a ConfigurationError")
  return exit.cause.error
}

describe("smart API keys", () => {
  it("a key naming its server sends requests there, and Authorization carries the whole key (as comet_ml)", () => {
    const key = smart({ baseUrl: "https://comet.corp.example/", other: 1 })
    const c = ok({ apiKey: key, sources: staticSources({}) })
    assert.strictEqual(c.baseUrl, "https://comet.corp.example")
    assert.strictEqual(c.restUrl, "https://comet.corp.example/api/rest/v2/")
    assert.strictEqual(Redacted.value(c.apiKey), key)
  })

  it("read from COMET_API_KEY too, and the key's path and a /clientlib suffix are reduced to the root", () => {
    const key = smart({ baseUrl: "https://comet.corp.example:8443/clientlib/" })
    const c = ok({ sources: staticSources({ COMET_API_KEY: key }) })
    assert.strictEqual(c.baseUrl, "https://comet.corp.example:8443")
  })

  it("an explicit baseUrl or COMET_URL_OVERRIDE wins, with a warning naming both servers", () => {
    const key = smart({ baseUrl: "https://comet.corp.example" })
    const logs: Array<string> = []
    const explicit = ok({ apiKey: key, baseUrl: "https://other.example", sources: staticSources({}) }, logs)
    assert.strictEqual(explicit.baseUrl, "https://other.example")
    assert.isTrue(logs.some((l) => l.includes("https://comet.corp.example") && l.includes("https://other.example")))
    const env = ok({ apiKey: key, sources: staticSources({ COMET_URL_OVERRIDE: "https://env.example/clientlib/" }) })
    assert.strictEqual(env.baseUrl, "https://env.example")
    const quiet: Array<string> = []
    ok({ apiKey: key, baseUrl: "https://comet.corp.example", sources: staticSources({}) }, quiet)
    assert.deepStrictEqual(quiet, [])
  })

  it("an empty COMET_URL_OVERRIDE is set, to comet_ml's default server: the key's server is not used (as comet_ml)", () => {
    // comet_ml 3.58.8 config_api: get_comet_url_override reads "" as DEFAULT_COMET_URL_OVERRIDE,
    // the constant, whatever server _update_comet_url_override took from the key
    const key = smart({ baseUrl: "https://comet.corp.example" })
    const c = ok({ apiKey: key, sources: staticSources({ COMET_URL_OVERRIDE: "" }) }, [])
    assert.strictEqual(c.baseUrl, "https://www.comet.com")
  })

  it("attributes without baseUrl, and a bare trailing '*', keep the default server; the bare '*' is dropped", () => {
    assert.strictEqual(
      ok({ apiKey: smart({ other: true }), sources: staticSources({}) }).baseUrl,
      "https://www.comet.com"
    )
    const bare = ok({ apiKey: `${SHORT}*`, sources: staticSources({}) })
    assert.strictEqual(bare.baseUrl, "https://www.comet.com")
    assert.strictEqual(Redacted.value(bare.apiKey), SHORT)
  })

  it("base64 with its padding missing or wrong is read as comet_ml reads it", () => {
    const attributes = b64({ baseUrl: "https://pad.example" })
    for (const text of [attributes.replace(/=+$/, ""), `${attributes.replace(/=+$/, "")}=`]) {
      assert.strictEqual(ok({ apiKey: `${SHORT}*${text}`, sources: staticSources({}) }).baseUrl, "https://pad.example")
    }
  })

  it("a malformed key is a ConfigurationError on apiKey that shows neither part of it", () => {
    const cases = [
      `${SHORT}*${b64({ baseUrl: "https://x.example" })}*extra`,
      `${SHORT}*!!not-base64!!`,
      `${SHORT}*${Buffer.from("not json").toString("base64")}`,
      `${SHORT}*${b64(["a list"])}`,
      smart({ baseUrl: 42 }),
      smart({ baseUrl: "ftp://files.example" })
    ]
    for (const key of cases) {
      const e = fails({ apiKey: key, sources: staticSources({}) })
      assert.strictEqual(e.setting, "apiKey", key)
      assert.notInclude(e.message, SHORT)
      assert.notInclude(e.message, key)
    }
  })

  it("plain http to a non-loopback server named by a key is refused as any such URL", () => {
    const e = fails({ apiKey: smart({ baseUrl: "http://comet.corp.example" }), sources: staticSources({}) })
    assert.strictEqual(e.setting, "apiKey")
    assert.include(e.message, "plain http")
    const loopback = ok({ apiKey: smart({ baseUrl: "http://127.0.0.1:4820" }), sources: staticSources({}) })
    assert.strictEqual(loopback.baseUrl, "http://127.0.0.1:4820")
  })

  it("both the whole key and its short part are scrubbed from any text while a layer holds the key, and no longer after", () => {
    const key = smart({ baseUrl: "https://comet.corp.example" })
    const text = `echo ${SHORT} and ${key}`
    const inside = Effect.runSync(
      Effect.scoped(Effect.map(Layer.build(layer({ apiKey: key, sources: staticSources({}) })), () => scrub(text)))
    )
    assert.notInclude(inside, SHORT)
    assert.include(inside, "<redacted>")
    // released with the layer's scope: the process does not keep every key it ever served
    assert.strictEqual(scrub(text), text)
  })
})
