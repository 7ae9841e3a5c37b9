import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted, Schema } from "effect"
import fc from "fast-check"
import { decodeJsonText } from "../src/Decode.js"
import * as Core from "../src/index.js"
import { errorFromResponse, parseRetryAfter } from "../src/ResponseErrors.js"

const base = { endpoint: "experiment/metadata", body: "", nowMillis: 1_700_000_000_000, attempts: 1 }

describe("errorFromResponse", () => {
  it("maps each status to its error", () => {
    const cases: ReadonlyArray<readonly [number, string]> = [
      [401, "Unauthorized"],
      [403, "Unauthorized"],
      [404, "NotFound"],
      [429, "RateLimited"],
      [408, "ServerError"],
      [500, "ServerError"],
      [502, "ServerError"],
      [503, "ServerError"],
      [504, "ServerError"],
      [400, "BadRequest"],
      [402, "BadRequest"],
      [405, "BadRequest"],
      [201, "BadRequest"],
      [204, "BadRequest"]
    ]
    for (const [status, tag] of cases) {
      const e = errorFromResponse({ ...base, endpoint: "workspaces", status })
      assert.strictEqual(e._tag, tag, `status ${status}`)
      assert.isTrue(e instanceof Error)
    }
  })

  it("a success status other than 200 is not told as a refusal of the call's arguments", () => {
    for (const status of [201, 202, 204, 206, 304]) {
      const e = errorFromResponse({ ...base, endpoint: "workspaces", status })
      assert.strictEqual(e._tag, "BadRequest", `status ${status}`)
      assert.notInclude(e.message, "Check the arguments", `status ${status}`)
      assert.include(e.message, `HTTP ${status}`, `status ${status}`)
      assert.include(e.message, "proxy", `status ${status}`)
    }
    const refused = errorFromResponse({ ...base, endpoint: "workspaces", status: 400 })
    assert.include(refused.message, "Check the arguments")
  })

  it("says what was not found, from the request parameters", () => {
    const e = errorFromResponse({ ...base, status: 404, params: { experimentKey: "abc123" } })
    assert.strictEqual(e._tag, "NotFound")
    if (e._tag === "NotFound") {
      assert.strictEqual(e.resource, "experiment")
      assert.strictEqual(e.id, "abc123")
      assert.include(e.message, '"abc123"')
    }
    const p = errorFromResponse({
      ...base,
      endpoint: "project",
      status: 404,
      params: { workspaceName: "ws", projectName: "proj" }
    })
    assert.isTrue(p._tag === "NotFound" && p.resource === "project" && p.id === "ws/proj")
  })

  it("treats an old server's 400 for an unknown experiment key as NotFound", () => {
    const e = errorFromResponse({ ...base, status: 400, params: { experimentKey: "nope" } })
    assert.strictEqual(e._tag, "NotFound")
    const other = errorFromResponse({
      ...base,
      endpoint: "experiment/metrics/get-metric",
      status: 400,
      params: { experimentKey: "k" }
    })
    assert.strictEqual(other._tag, "BadRequest")
    const coded = errorFromResponse({
      ...base,
      endpoint: "experiment/tags",
      status: 400,
      body: JSON.stringify({ code: 400, msg: "Experiment key not found", sdk_error_code: 90211 }),
      params: { experimentKey: "k" }
    })
    assert.strictEqual(coded._tag, "NotFound")
  })

  it("surfaces Comet's error body in the message", () => {
    const e = errorFromResponse({
      ...base,
      status: 500,
      body: JSON.stringify({ code: 500, msg: "database is sad", sdk_error_code: 12345 })
    })
    assert.strictEqual(e._tag, "ServerError")
    if (e._tag === "ServerError") {
      assert.strictEqual(e.serverMessage, "database is sad")
      assert.strictEqual(e.sdkErrorCode, 12345)
    }
    assert.include(e.message, "database is sad")
    assert.include(e.message, "12345")
    const html = errorFromResponse({ ...base, status: 502, body: "<html>bad gateway</html>" })
    assert.isTrue(html._tag === "ServerError" && html.serverMessage === null)
  })

  it("401 tells the user to check COMET_API_KEY", () => {
    assert.include(errorFromResponse({ ...base, status: 401 }).message, "COMET_API_KEY")
  })

  it("reads Retry-After in seconds and as an HTTP-date", () => {
    assert.strictEqual(parseRetryAfter("7", 0), 7000)
    assert.strictEqual(parseRetryAfter("0.5", 0), 500)
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")
    assert.strictEqual(parseRetryAfter("Wed, 21 Oct 2015 07:28:09 GMT", now), 9000)
    assert.strictEqual(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), 0)
    assert.strictEqual(parseRetryAfter("soon", now), null)
    assert.strictEqual(parseRetryAfter(undefined, now), null)
    const e = errorFromResponse({ ...base, status: 429, retryAfter: "7" })
    assert.isTrue(e._tag === "RateLimited" && e.retryAfterMillis === 7000)
  })

  it("classifies retryable errors", () => {
    const retryable = [408, 429, 500, 502, 503, 504].map((status) => errorFromResponse({ ...base, status }))
    assert.isTrue(retryable.every(Core.isRetryable))
    const final = [400, 401, 403, 404, 405, 501].map((status) => errorFromResponse({ ...base, status }))
    assert.isTrue(final.every((e) => !Core.isRetryable(e)))
  })

  it("a browser's opaque network failure names both causes: CORS (with the proxy remedy) and a refused connection", () => {
    const e = new Core.TransportError({
      endpoint: "workspaces",
      reason: "browser-network",
      detail: "TypeError: Failed to fetch",
      attempts: 3
    })
    assert.isTrue(Core.isRetryable(e))
    for (const part of ["CORS", "same-origin proxy", "Authorization", "--cors", "refused", "after 3 attempt(s)"])
      assert.include(e.message, part)
    const back = Schema.decodeUnknownSync(Core.CometError)(
      JSON.parse(JSON.stringify(Schema.encodeSync(Core.CometError)(e)))
    )
    assert.strictEqual(back.message, e.message)
  })

  it("errors are real Errors, round-trip through their Schema, and are recognised", () => {
    const e = new Core.TransportError({ endpoint: "workspaces", reason: "timeout", detail: "10 s", attempts: 3 })
    assert.instanceOf(e, Error)
    assert.strictEqual(e.name, "TransportError")
    assert.include(String(e), "timeout")
    const encoded = Schema.encodeSync(Core.CometError)(e)
    const back = Schema.decodeUnknownSync(Core.CometError)(JSON.parse(JSON.stringify(encoded)))
    assert.instanceOf(back, Core.TransportError)
    assert.isTrue(Core.isCometError(back))
    assert.isFalse(Core.isCometError(new Error("x")))
  })

  it("Ambiguous names every match and how to pick one, round-trips, and is not retryable", () => {
    const e = new Core.Ambiguous({
      resource: "experiment",
      name: "baseline",
      scope: "ws/proj",
      matches: ["k1", "k2"]
    })
    assert.instanceOf(e, Error)
    assert.strictEqual(e._tag, "Ambiguous")
    assert.strictEqual(
      e.message,
      'The experiment name "baseline" in ws/proj matches 2 experiments: k1, k2. Names are not keys in Comet: use the key of the one you mean (e.g. "ws/proj/k1").'
    )
    const back = Schema.decodeUnknownSync(Core.CometError)(
      JSON.parse(JSON.stringify(Schema.encodeSync(Core.CometError)(e)))
    )
    assert.instanceOf(back, Core.Ambiguous)
    assert.deepStrictEqual((back as Core.Ambiguous).matches, ["k1", "k2"])
    assert.isTrue(Core.isCometError(back))
    assert.isFalse(Core.isRetryable(e))
    const many = new Core.Ambiguous({
      resource: "experiment",
      name: "n",
      scope: "w/p",
      matches: Array.from({ length: 25 }, (_, i) => `k${i}`)
    })
    assert.include(many.message, "k19 and 5 more")
  })
})

describe("TransportError messages", () => {
  it("an abort before any attempt does not claim '0 attempt(s)'; a timeout's advice points at the setting named", () => {
    const abort = new Core.TransportError({
      endpoint: "call",
      reason: "aborted",
      detail: "the caller's AbortSignal fired",
      attempts: 0
    })
    assert.notInclude(abort.message, "attempt(s)")
    assert.include(abort.message, "aborted")
    const stalled = new Core.TransportError({
      endpoint: "experiment/asset/get-asset",
      reason: "timeout",
      detail:
        "no data in the middle of the body within 10m (raise downloadTimeoutMs, or COMET_TIMEOUT_FILE_DOWNLOAD in seconds)",
      attempts: 1
    })
    assert.include(stalled.message, "downloadTimeoutMs")
    assert.notMatch(stalled.message, /\btimeoutMs\b/)
    const redirect = new Core.TransportError({ endpoint: "x", reason: "redirect", detail: "a loop", attempts: 1 })
    assert.notInclude(redirect.message, "another host")
  })
})

describe("the API key never appears in an error", () => {
  // Keys as Comet issues them (alphanumeric), plus odd ones.
  const key = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9]{20,40}$/),
    // Config refuses keys with white space or control characters, so the odd keys have none;
    // a '*' makes a self-hosted "smart" key, whose attributes must be base64 JSON (tested apart).
    fc
      .string({ minLength: 8, maxLength: 40 })
      .filter(
        (s) =>
          !/\s/.test(s) && !s.includes("*") && [...s].every((ch) => (ch.codePointAt(0) ?? 0) >= 0x20 && ch !== "\u007f")
      )
  )
  const around = fc.string({ maxLength: 30 })
  // The messages' own prose, with nothing echoed: a "key" that is a piece of it (an odd key
  // "rguments" is in "Check the arguments") cannot be told from the text, so it is not drawn.
  const prose = [400, 401, 403, 404, 408, 429, 500, 503].map(
    (status) =>
      errorFromResponse({ status, endpoint: "", params: {}, body: "", retryAfter: "", nowMillis: 0, attempts: 1 })
        .message
  )
  const echoable = key.filter((k) => !prose.some((text) => text.includes(k)))

  it("in any error built from a response that echoes it", () => {
    fc.assert(
      fc.property(
        echoable,
        around,
        around,
        fc.constantFrom(400, 401, 403, 404, 408, 429, 500, 503),
        (k, before, after, status) => {
          const echoed = `${before}${k}${after}`
          const e = errorFromResponse({
            status,
            endpoint: `experiment/${echoed}`,
            params: { experimentKey: echoed, workspaceName: echoed },
            body: JSON.stringify({ code: status, msg: echoed, sdk_error_code: 1 }),
            retryAfter: echoed,
            nowMillis: 0,
            attempts: 1,
            apiKey: k
          })
          const texts = [e.message, String(e), e.toString(), JSON.stringify(e), JSON.stringify(e.toJSON())]
          return texts.every((t) => !t.includes(k))
        }
      ),
      { numRuns: 500 }
    )
  })

  it("in decode errors whose body contains it", () => {
    fc.assert(
      fc.property(key, around, (k, before) => {
        const exit = Effect.runSyncExit(decodeJsonText(Core.WorkspaceList, "workspaces")(`${before}${k}`, k))
        if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") return false
        const e = exit.cause.error
        return ![e.message, String(e), JSON.stringify(e)].some((t) => t.includes(k))
      }),
      { numRuns: 300 }
    )
  })

  it("in any error built while a layer holds the key, whatever the error carries", () => {
    fc.assert(
      fc.property(key, around, (k, before) => {
        const options = { apiKey: Redacted.make(k), sources: Core.CometConfig.staticSources({}) }
        const resolved = Effect.runSync(Core.CometConfig.resolve(options))
        const build = (text: string) => [
          new Core.InvalidArgument({ argument: "experiment path", value: text, reason: text }),
          new Core.Ambiguous({ resource: "experiment", name: text, scope: text, matches: [text, "k2"] }),
          new Core.NotFound({ resource: "asset", id: text, endpoint: text, serverMessage: text, sdkErrorCode: null }),
          new Core.QueryError({ reason: "syntax", detail: text, line: 1, column: 1, hint: text }),
          new Core.ConfigurationError({ setting: text, reason: text }),
          new Core.TransportError({ endpoint: text, reason: "network", detail: text, attempts: 1 })
        ]
        // A "key" that is part of the errors' own wording (a tag such as "InvalidArgument", a
        // field name) cannot be told apart from it: such keys say nothing about scrubbing.
        const wording = build("")
          .flatMap((e) => [e.message, JSON.stringify(Schema.encodeSync(Core.CometError)(e))])
          .join("\n")
        fc.pre(!wording.includes(k))
        // built while a CometConfig layer with the key is open (as every call of a client is)
        const errors = Effect.runSync(
          Effect.scoped(Effect.map(Layer.build(Core.CometConfig.layer(options)), () => build(`${before}${k}`)))
        )
        return (
          Redacted.value(resolved.apiKey) === k &&
          !String(resolved.apiKey).includes(k) &&
          errors.every((e) =>
            [e.message, String(e), JSON.stringify(e), JSON.stringify(Schema.encodeSync(Core.CometError)(e))].every(
              (t) => !t.includes(k)
            )
          )
        )
      }),
      { numRuns: 300 }
    )
  })
})

describe("messages name the real cause and the real knob", () => {
  const rateLimited = (stoppedBy?: Core.RetryStop, attempts = 3) =>
    new Core.RateLimited({
      endpoint: "workspaces",
      retryAfterMillis: 7000,
      attempts,
      serverMessage: null,
      ...(stoppedBy === undefined ? {} : { stoppedBy })
    })

  it("what ended the retries is the setting the message tells to raise", () => {
    assert.include(rateLimited("maxRetries").message, "raise maxRetries (COMET_HTTP_SESSION_RETRY_TOTAL)")
    for (const e of [rateLimited("retryBudget"), rateLimited("callTimeout")])
      assert.notInclude(e.message, "raise maxRetries")
    assert.include(rateLimited("retryBudget").message, "raise retryBudget")
    assert.include(rateLimited("callTimeout").message, "callTimeoutMs")
    const server = (stoppedBy: Core.RetryStop) =>
      new Core.ServerError({
        status: 503,
        endpoint: "workspaces",
        serverMessage: null,
        sdkErrorCode: null,
        attempts: 2,
        stoppedBy
      }).message
    assert.include(server("maxRetries"), "raise maxRetries")
    assert.notInclude(server("retryBudget"), "raise maxRetries")
    assert.include(server("retryBudget"), "retryBudget")
  })

  it("withRetryStop keeps every field and only adds what ended the retries", () => {
    const e = Core.withRetryStop(rateLimited(), "retryBudget")
    assert.isTrue(e._tag === "RateLimited" && e.stoppedBy === "retryBudget" && e.retryAfterMillis === 7000)
    const t = Core.withRetryStop(
      new Core.TransportError({ endpoint: "x", reason: "timeout", detail: "d", attempts: 2, setting: "timeoutMs" }),
      "maxRetries"
    )
    assert.isTrue(t._tag === "TransportError" && t.setting === "timeoutMs" && t.stoppedBy === "maxRetries")
    const back = Schema.decodeUnknownSync(Core.CometError)(
      JSON.parse(JSON.stringify(Schema.encodeSync(Core.CometError)(t)))
    )
    assert.strictEqual(back.message, t.message)
  })

  it("a call not sent because the client waits out a 429 says so, not 'after 0 attempt(s)'", () => {
    const m = rateLimited("retryBudget", 0).message
    assert.include(m, "was not sent")
    assert.notInclude(m, "0 attempt")
  })

  it("a 5xx that is never retried does not advise retrying", () => {
    const m = new Core.ServerError({ status: 501, endpoint: "x", serverMessage: null, sdkErrorCode: null, attempts: 1 })
      .message
    assert.notInclude(m, "maxRetries")
    assert.notInclude(m, "retryBudget")
  })

  it("a timeout names the setting that bounded it", () => {
    const t = (setting?: string) =>
      new Core.TransportError({
        endpoint: "experiment/asset/get-asset",
        reason: "timeout",
        detail: "no data for 10m in the middle of the body",
        attempts: 1,
        ...(setting === undefined ? {} : { setting })
      }).message
    assert.include(t("downloadTimeoutMs"), "Raise downloadTimeoutMs (COMET_TIMEOUT_FILE_DOWNLOAD")
    assert.notInclude(t("downloadTimeoutMs"), "timeoutMs (COMET_TIMEOUT_API")
    assert.include(t("timeoutMs"), "Raise timeoutMs (COMET_TIMEOUT_API")
    // unknown: both, each with what it bounds
    assert.include(t(), "downloadTimeoutMs (COMET_TIMEOUT_FILE_DOWNLOAD in seconds) for asset downloads")
  })

  it("aborts, closes and deadlines read as what they are, with no '0 attempt(s)'", () => {
    const e = (reason: "aborted" | "closed" | "deadline", attempts: number) =>
      new Core.TransportError({ endpoint: "getWorkspaces", reason, detail: "d", attempts }).message
    assert.include(e("aborted", 0), "getWorkspaces was cancelled by its caller")
    assert.include(e("closed", 0), "the client was closed")
    assert.notInclude(e("closed", 0), "AbortSignal")
    assert.include(e("deadline", 2), "did not complete within its deadline after 2 attempt(s)")
    for (const r of ["aborted", "closed", "deadline"] as const) {
      assert.notInclude(e(r, 0), "0 attempt")
      assert.isFalse(Core.isRetryable(new Core.TransportError({ endpoint: "x", reason: r, detail: "d", attempts: 1 })))
    }
  })

  it("a redirect's advice does not claim another host", () => {
    const m = new Core.TransportError({
      endpoint: "workspaces",
      reason: "redirect",
      detail: "the server answered HTTP 301 redirecting to http://127.0.0.1:4820 (same host), which is not followed",
      attempts: 1
    }).message
    assert.notInclude(m, "another host")
    assert.include(m, "COMET_URL_OVERRIDE")
  })
})
