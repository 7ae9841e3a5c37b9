/**
 * The bad-input catalogue: every way a caller, a configuration, a proxy or a server can go
 * wrong, through the Promise facade against the emulator. Each case must reject with a typed
 * `CometError` (an `Error`, with the expected `_tag` and a message that says what happened),
 * never anything untyped; and the key must appear in no error, log line, span or URL.
 */
import { CometConfig, isCometError, SystemDetails } from "@comet-ts/core"
import * as Http from "@comet-ts/http"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Layer, Option, Runtime } from "effect"
import { type API, type APIOptions, CometApi, CometApiLayer, Panel, type PanelContext } from "../src/index.js"
import type { SentRequest } from "./support/capture.js"
import { Capture, emulator, facade, ORIGIN, SECRET } from "./support/facade.js"

const emu = emulator({ seed: 1 })
const ws = emu.dataset.workspaces[0]!
const project = ws.projects[0]!
const exp = project.experiments[0]!
const KEY = exp.experimentKey
const asset = exp.assets.find((a) => a.fileName === "config.yaml")!
const other = emu.dataset.workspaces.find((w) => w.name === "other-user")!

/** Keys of experiments the emulator does not have: the wrong entity a hostile server answers with. */
const OTHER = "0ther0ther0ther0ther0ther0ther00"
const STRANGER = "5trange5trange5trange5trange5tra"

const metadataOf = (key: string) => ({
  experimentKey: key,
  experimentName: "other-run",
  optimizationId: null,
  projectId: project.projectId,
  projectName: project.projectName,
  workspaceName: ws.name,
  filePath: null,
  fileName: null,
  durationMillis: 1,
  startTimeMillis: 1,
  endTimeMillis: 2,
  archived: false
})

const chartOf = (key: string) => ({ experimentKey: key, experimentName: null, metrics: [], params: null })

const systemDetailsOf = (key: string) => ({
  ...Object.fromEntries(Object.keys(SystemDetails.fields).map((k) => [k, null])),
  experimentKey: key
})

const projectJson = {
  projectId: project.projectId,
  projectName: project.projectName,
  ownerUserName: null,
  projectDescription: null,
  workspaceName: ws.name,
  numberOfExperiments: 1,
  lastUpdated: 1,
  public: false
}

/** The key with every character JSON-escaped (`\u0063…`). */
const escaped = (key: string) => [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")

/** The facade (or the service) as plain JavaScript sees it: no types. */
const untyped = (api: API): Record<string, (...args: ReadonlyArray<unknown>) => Promise<unknown>> =>
  api as unknown as Record<string, (...args: ReadonlyArray<unknown>) => Promise<unknown>>

/** Another secret: a wrong key is a secret too and must not leak either. */
const WRONG_KEY = "ck_live_WRONGwrongWRONG0123456789abcdef"

type Tag =
  | "Unauthorized"
  | "NotFound"
  | "RateLimited"
  | "ServerError"
  | "BadRequest"
  | "TransportError"
  | "DecodeError"
  | "InvalidArgument"
  | "Ambiguous"
  | "QueryError"
  | "ConfigurationError"

/** A response a proxy (or a misbehaving server) sends instead of the emulator's (or a failed fetch). */
type Intercept = (request: Request) => Response | Promise<Response> | undefined

interface Case {
  readonly name: string
  readonly call: (api: API) => Promise<unknown>
  readonly tag: Tag
  readonly message: string | RegExp
  readonly options?: Partial<APIOptions>
  readonly intercept?: Intercept
  /** More checks on the error's fields. */
  readonly check?: (e: Record<string, unknown>) => void
  /** Checks on the requests sent. */
  readonly sent?: (requests: ReadonlyArray<SentRequest>) => void
  /** The call uses what only the facade has (APIExperiment, close, AbortSignal). */
  readonly facadeOnly?: boolean
}

const onEndpoint =
  (endpoint: string, respond: (request: Request) => Response | Promise<Response>): Intercept =>
  (request) =>
    new URL(request.url).pathname.endsWith(`/api/rest/v2/${endpoint}`) ? respond(request) : undefined

/** A server that never answers (the request fails only when it is aborted). */
const stall = (request: Request): Promise<Response> =>
  new Promise((_, reject) =>
    request.signal.addEventListener("abort", () => reject(new DOMException("This operation was aborted", "AbortError")))
  )

/** Headers and a first chunk, then nothing. */
const stallMidBody = (): Response =>
  new Response(
    new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode("first bytes")),
      pull: () => new Promise<void>(() => {})
    }),
    { headers: { "content-type": "application/octet-stream" } }
  )

/** How Node's fetch fails when no connection can be made (`code`: ECONNREFUSED, ENOTFOUND, …). */
const noConnection =
  (code: string): Intercept =>
  () =>
    Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error(`connect ${code}`), { code }) }))

/** The message does not contain `text`. */
const without =
  (...texts: ReadonlyArray<string>) =>
  (e: Record<string, unknown>) => {
    for (const text of texts) assert.notInclude(String(e.message), text)
  }

/** Call `start`, let it reach the server, close the client, and return what `start` settles with. */
const closedWhilePending = async (api: API, start: (api: API) => Promise<unknown>): Promise<unknown> => {
  const pending = start(api)
  pending.catch(() => {})
  await new Promise((resolve) => setTimeout(resolve, 20))
  await api.close()
  return pending
}

const html = (status: number) => () =>
  new Response("<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>", {
    status,
    headers: { "content-type": "text/html" }
  })

const reason = (r: string) => (e: Record<string, unknown>) => assert.strictEqual(e.reason, r)

const fast = { maxRetries: 1, http: { retryBaseDelay: "1 millis", retryMaxDelay: "2 millis" } } as const

const cases: ReadonlyArray<Case> = [
  // ---------------------------------------------------------------- configuration and keys
  {
    name: "missing key",
    options: { apiKey: undefined },
    call: (api) => api.getWorkspaces(),
    tag: "ConfigurationError",
    message: "no Comet API key was found"
  },
  {
    name: "empty key",
    options: { apiKey: "" },
    call: (api) => api.getWorkspaces(),
    tag: "ConfigurationError",
    message: "is empty"
  },
  {
    name: "key with a space inside (pasted badly)",
    options: { apiKey: `${SECRET.slice(0, 12)} ${SECRET.slice(12)}` },
    call: (api) => api.getWorkspaces(),
    tag: "ConfigurationError",
    message: "white space or control characters"
  },
  {
    name: "wrong key",
    options: { apiKey: WRONG_KEY },
    call: (api) => api.getWorkspaces(),
    tag: "Unauthorized",
    message: "Comet rejected the API key on workspaces (HTTP 401)",
    check: (e) => assert.strictEqual(e.status, 401)
  },
  {
    name: "workspace the key cannot see",
    call: (api) => api.getProjects(other.name),
    tag: "Unauthorized",
    message: "has no access",
    check: (e) => assert.strictEqual(e.status, 403)
  },
  {
    name: "base URL without scheme",
    options: { baseUrl: "www.comet.com" },
    call: (api) => api.getWorkspaces(),
    tag: "ConfigurationError",
    message: "has no http:// or https:// scheme"
  },
  {
    name: "base URL with another scheme",
    options: { baseUrl: "ftp://comet.example.com" },
    call: (api) => api.getWorkspaces(),
    tag: "ConfigurationError",
    message: "scheme"
  },
  {
    name: "base URL that is not a URL",
    options: { baseUrl: "https://" },
    call: (api) => api.getWorkspaces(),
    tag: "ConfigurationError",
    message: "https://"
  },
  {
    name: "plain http to a host that is not loopback",
    options: { baseUrl: "http://comet.example.com" },
    call: (api) => api.getWorkspaces(),
    tag: "ConfigurationError",
    message: "allowInsecureHttp",
    sent: (requests) => assert.strictEqual(requests.length, 0)
  },
  {
    name: "maxConcurrency 0",
    options: { maxConcurrency: 0 },
    call: (api) => api.getWorkspaces(),
    tag: "ConfigurationError",
    message: "is not a positive integer"
  },
  // ---------------------------------------------------------------- paths and names
  {
    name: 'path "ws//exp" (empty project)',
    call: (api) => api.get(`${ws.name}//${KEY}`),
    tag: "InvalidArgument",
    message: "the project name part is empty"
  },
  {
    name: 'path "/proj/exp" (empty workspace)',
    call: (api) => api.get(`/${project.projectName}/${KEY}`),
    tag: "InvalidArgument",
    message: "the workspace part is empty"
  },
  {
    name: 'path "ws/proj/" (empty experiment)',
    call: (api) => api.get(`${ws.name}/${project.projectName}/`),
    tag: "InvalidArgument",
    message: "the experiment part is empty"
  },
  {
    name: 'path "ws/proj" given with a project argument too',
    call: (api) => api.get(`${ws.name}/${project.projectName}`, "again"),
    tag: "InvalidArgument",
    message: "cannot be combined"
  },
  {
    name: "getExperiment with a workspace only",
    call: (api) => api.getExperiment(ws.name),
    tag: "InvalidArgument",
    message: 'give workspace, project and experiment, or one "workspace/project/experiment" path'
  },
  {
    name: "experiment name with slashes is looked up, not split further",
    call: (api) => api.get(`${ws.name}/${project.projectName}/no/such/run`),
    tag: "NotFound",
    message: `"${ws.name}/${project.projectName}/no/such/run"`
  },
  {
    name: "workspace name with / & # % ? reaches the server intact",
    call: (api) => api.getProjects("a/b&c#d%e?f"),
    tag: "NotFound",
    message: '"a/b&c#d%e?f"',
    sent: (requests) =>
      assert.deepStrictEqual(
        requests.map((r) => r.url),
        [`${ORIGIN}/api/rest/v2/projects?workspaceName=a%2Fb%26c%23d%25e%3Ff`]
      )
  },
  {
    name: "project name with / & # % ? reaches the server intact",
    call: (api) => api.getProject(ws.name, "p/1&x=2#frag%20?q"),
    tag: "NotFound",
    message: "p/1&x=2#frag%20?q"
  },
  {
    name: "unicode workspace name",
    call: (api) => api.getProjects("ワークスペース-ü-🚀"),
    tag: "NotFound",
    message: '"ワークスペース-ü-🚀"',
    sent: (requests) =>
      assert.strictEqual(
        requests[0]?.url,
        `${ORIGIN}/api/rest/v2/projects?workspaceName=${encodeURIComponent("ワークスペース-ü-🚀")}`
      )
  },
  {
    name: "a lone UTF-16 surrogate in a name",
    call: (api) => api.getProjects("bad\uD800name"),
    tag: "InvalidArgument",
    message: "surrogate",
    sent: (requests) => assert.strictEqual(requests.length, 0)
  },
  {
    name: "empty experiment key",
    call: (api) => api.getExperimentMetadata(""),
    tag: "InvalidArgument",
    message: "experimentKey is required and cannot be empty"
  },
  {
    name: "blank workspace",
    call: (api) => api.getProjects("   "),
    tag: "InvalidArgument",
    message: "workspace is required"
  },
  {
    name: "empty metric name",
    call: (api) => api.getExperimentMetric(KEY, ""),
    tag: "InvalidArgument",
    message: "metric is required"
  },
  {
    name: "empty key in a chart request",
    call: (api) => api.getMetricsForChart([KEY, ""], ["loss"]),
    tag: "InvalidArgument",
    message: "an experiment key cannot be empty"
  },
  {
    name: "invalid regular expression",
    call: (api) => api.getExperiments(ws.name, project.projectName, "run-(["),
    tag: "InvalidArgument",
    message: "not a valid Python regular expression: unterminated character set at position 5"
  },
  {
    name: "a Python pattern JavaScript cannot express",
    call: (api) => api.getExperiments(ws.name, project.projectName, "(run)(?(1)-a|-b)"),
    tag: "InvalidArgument",
    message: "valid in Python, but JavaScript cannot express it: a conditional group"
  },
  {
    name: "an experiment name two runs share",
    call: (api) => api.getExperiment(ws.name, project.projectName, "twin"),
    intercept: onEndpoint(
      "experiments",
      () =>
        new Response(
          JSON.stringify({
            experiments: [0, 1].map((i) => ({
              experimentKey: `${"ab".repeat(15)}0${i}`,
              experimentName: "twin",
              optimizationId: null,
              projectId: project.projectId,
              projectName: project.projectName,
              workspaceName: ws.name,
              filePath: null,
              fileName: null,
              durationMillis: null,
              startTimeMillis: 0,
              endTimeMillis: null,
              archived: false
            }))
          }),
          { status: 200, headers: { "content-type": "application/json" } }
        )
    ),
    tag: "Ambiguous",
    message: `The experiment name "twin" in ${ws.name}/${project.projectName} matches 2 experiments: ${"ab".repeat(15)}00, ${"ab".repeat(15)}01`
  },
  {
    name: "a key under a project it is not in",
    call: (api) => api.get(`${ws.name}/no-such-project/${KEY}`),
    tag: "InvalidArgument",
    message: `experiment ${KEY} is in ${ws.name}/${project.projectName}, not in ${ws.name}/no-such-project`
  },
  {
    name: "unknown returnType",
    call: (api) => api.getExperimentAsset(KEY, asset.assetId, { returnType: "xml" as "text" }),
    tag: "InvalidArgument",
    message: 'use "binary", "text" or "json"'
  },
  // ---------------------------------------------------------------- unknown things
  {
    name: "unknown experiment",
    call: (api) => api.getExperimentMetadata("0123456789abcdef0123456789abcdef"),
    tag: "NotFound",
    message: 'Comet has no experiment "0123456789abcdef0123456789abcdef"'
  },
  {
    name: "unknown workspace",
    call: (api) => api.getProjects("no-such-workspace"),
    tag: "NotFound",
    message: "no-such-workspace"
  },
  {
    name: "unknown project",
    call: (api) => api.getProject(ws.name, "no-such-project"),
    tag: "NotFound",
    message: "no-such-project"
  },
  {
    name: "unknown asset",
    call: (api) => api.getExperimentAsset(KEY, "no-such-asset"),
    tag: "NotFound",
    message: 'Comet has no asset "no-such-asset"'
  },
  {
    name: "unknown asset file name",
    call: (api) => api.getExperimentAssetByName(KEY, "nope.txt"),
    tag: "NotFound",
    message: "nope.txt"
  },
  {
    name: "unknown model",
    call: (api) => api.getExperimentModelAssetList(KEY, "no-such-model"),
    tag: "NotFound",
    message: 'Comet has no model "no-such-model of experiment'
  },
  {
    name: "unknown summary name",
    facadeOnly: true,
    call: async (api) => (await api.getExperimentByKey(KEY)).getMetricsSummary("no-such-metric"),
    tag: "NotFound",
    message: "no-such-metric"
  },
  {
    name: "unknown experiment name",
    call: (api) => api.getExperimentByName("no-such-run", { workspace: ws.name, projectName: project.projectName }),
    tag: "NotFound",
    message: "no-such-run"
  },
  {
    name: "lookup by name with no workspace configured",
    call: (api) => api.getExperimentByName("a-run"),
    tag: "ConfigurationError",
    message: "needs a workspace and project"
  },
  {
    name: "panel call without a panel context",
    call: (api) => api.getPanelExperimentKeys(),
    tag: "ConfigurationError",
    message: "panel: false"
  },
  // ---------------------------------------------------------------- queries
  {
    name: "query syntax error",
    call: (api) => api.query(ws.name, project.projectName, 'Metric("loss") <'),
    tag: "QueryError",
    message: /Query syntax error at line 1, column \d+/,
    check: reason("syntax")
  },
  {
    name: "query on an unknown column",
    call: (api) => api.query(ws.name, project.projectName, 'Metric("no_such_metric") < 1'),
    tag: "QueryError",
    message: "no_such_metric",
    check: reason("unknown-column")
  },
  {
    name: "query comparing a string column with a number",
    call: (api) => api.query(ws.name, project.projectName, 'Parameter("optimizer") > 3'),
    tag: "QueryError",
    message: "optimizer",
    check: reason("type-mismatch")
  },
  {
    name: "query nested too deeply",
    call: (api) => api.query(ws.name, project.projectName, `${"(".repeat(500)}Metric("loss") < 1${")".repeat(500)}`),
    tag: "QueryError",
    message: "too-deep",
    check: reason("too-deep")
  },
  {
    name: "query too long",
    call: (api) =>
      api.query(ws.name, project.projectName, Array.from({ length: 5000 }, () => 'Metric("loss") < 1').join(" & ")),
    tag: "QueryError",
    message: "the limit is 65536",
    check: reason("too-long")
  },
  // ---------------------------------------------------------------- what proxies and servers send
  {
    name: "HTML error page from a proxy (502)",
    options: fast,
    intercept: onEndpoint("workspaces", html(502)),
    call: (api) => api.getWorkspaces(),
    tag: "ServerError",
    message: "HTTP 502 after 2 attempt(s)"
  },
  {
    name: "HTML page with status 200 (a login page)",
    intercept: onEndpoint("workspaces", html(200)),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: 'Content-Type "text/html"',
    check: (e) => assert.include(String(e.excerpt), "502 Bad Gateway")
  },
  {
    name: "a proxy page echoing the request headers (the key among them)",
    intercept: (request) =>
      new URL(request.url).pathname.endsWith("/workspaces")
        ? new Response(`<html><body><pre>Authorization: ${request.headers.get("authorization")}</pre></body></html>`, {
            headers: { "content-type": "text/html" }
          })
        : undefined,
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: "Authorization: <redacted>"
  },
  {
    name: "an error body quoting the key back",
    intercept: (request) =>
      new URL(request.url).pathname.endsWith("/workspaces")
        ? Response.json(
            { code: 401, msg: `Invalid API key ${request.headers.get("authorization")}`, sdk_error_code: 90212 },
            { status: 401 }
          )
        : undefined,
    call: (api) => api.getWorkspaces(),
    tag: "Unauthorized",
    message: 'Comet says: "Invalid API key <redacted>"'
  },
  {
    name: "JSON with the wrong content type",
    intercept: onEndpoint(
      "workspaces",
      () => new Response('{"workspaceNames":["x"]}', { headers: { "content-type": "text/plain" } })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: 'Content-Type "text/plain"'
  },
  {
    name: "empty body",
    intercept: onEndpoint("workspaces", () => new Response("", { headers: { "content-type": "application/json" } })),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: "the body is empty, JSON was expected"
  },
  {
    name: "a body of only white space",
    intercept: onEndpoint(
      "workspaces",
      () => new Response("   \n", { headers: { "content-type": "application/json" } })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: "the body is only white space: 4 bytes (spaces, line feeds), JSON was expected"
  },
  {
    name: "a JSON asset of only white space",
    intercept: onEndpoint(
      "experiment/asset/get-asset",
      () => new Response(" ".repeat(100_000), { headers: { "content-type": "application/octet-stream" } })
    ),
    call: (api) => api.getExperimentAsset(KEY, asset.assetId, { returnType: "json" }),
    tag: "DecodeError",
    message: "the asset is only white space: 100000 bytes (spaces); read it with returnType"
  },
  {
    // V8's JSON.parse message quotes the text, control characters raw: a terminal obeys an ESC
    name: "a JSON asset that is not JSON, with control characters (an ANSI sequence)",
    intercept: onEndpoint(
      "experiment/asset/get-asset",
      () => new Response("\u001b[2J\u0000gone", { headers: { "content-type": "application/octet-stream" } })
    ),
    call: (api) => api.getExperimentAsset(KEY, asset.assetId, { returnType: "json" }),
    tag: "DecodeError",
    message: "the asset is not JSON (SyntaxError: Unexpected token '\ufffd'); read it with returnType",
    check: (e) => assert.notMatch(String(e.message), /\p{Cc}/u)
  },
  {
    name: "body that is not JSON",
    intercept: onEndpoint(
      "workspaces",
      () => new Response("{not json", { headers: { "content-type": "application/json" } })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: "not JSON"
  },
  {
    name: "JSON of the wrong shape",
    intercept: onEndpoint("experiment/metadata", () => Response.json({ experimentKey: 42 })),
    call: (api) => api.getExperimentMetadata(KEY),
    tag: "DecodeError",
    message: "experimentKey"
  },
  {
    name: "a 200 with Comet's error JSON",
    intercept: onEndpoint("experiment/metadata", () =>
      Response.json({ code: 404, msg: "Experiment not found", sdk_error_code: 90211 })
    ),
    call: (api) => api.getExperimentMetadata(KEY),
    tag: "NotFound",
    message: 'Comet says: "Experiment not found"'
  },
  {
    name: "a 2 GB Content-Length on a JSON call",
    intercept: onEndpoint(
      "experiment/metrics/get-metric",
      () => new Response("{}", { headers: { "content-type": "application/json", "content-length": "2000000000" } })
    ),
    call: (api) => api.getExperimentMetric(KEY, "loss"),
    tag: "TransportError",
    message: "Content-Length is 2000000000 bytes",
    check: reason("too-large")
  },
  {
    name: "a 3 GB Content-Length on an asset download",
    intercept: onEndpoint(
      "experiment/asset/get-asset",
      () =>
        new Response("x", { headers: { "content-type": "application/octet-stream", "content-length": "3000000000" } })
    ),
    call: (api) => api.getExperimentAsset(KEY, asset.assetId),
    tag: "TransportError",
    message: "Read large assets with a streaming call (streamExperimentAsset)",
    check: reason("too-large")
  },
  {
    name: "a redirect to another host",
    intercept: onEndpoint(
      "workspaces",
      () => new Response(null, { status: 302, headers: { location: "https://evil.example.net/steal?x=1" } })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "TransportError",
    message: "redirecting to https://evil.example.net, which is not followed",
    check: reason("redirect"),
    sent: (requests) => assert.deepStrictEqual([...new Set(requests.map((r) => new URL(r.url).origin))], [ORIGIN])
  },
  {
    name: "a 400 the server explains",
    intercept: onEndpoint("workspaces", () =>
      Response.json({ code: 400, msg: "bad parameter", sdk_error_code: 90998 }, { status: 400 })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "BadRequest",
    message: 'Comet refused workspaces with HTTP 400 (Comet says: "bad parameter"'
  },
  {
    name: "429 past the retries allowed",
    options: fast,
    intercept: onEndpoint("workspaces", () =>
      Response.json({ code: 429, msg: "slow down" }, { status: 429, headers: { "retry-after": "0" } })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "RateLimited",
    message: "Comet rate-limited workspaces (HTTP 429) after 2 attempt(s)",
    check: (e) => {
      assert.strictEqual(e.stoppedBy, "maxRetries")
      assert.include(String(e.message), "raise maxRetries")
    }
  },
  // ---------------------------------------------------------------- what ended the retries (issue 13, kind 10)
  {
    name: "429 whose Retry-After passes the retry budget",
    intercept: onEndpoint("workspaces", () =>
      Response.json({ code: 429, msg: "quota" }, { status: 429, headers: { "retry-after": "3600" } })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "RateLimited",
    message: "the retry budget (the http setting retryBudget",
    check: (e) => {
      assert.strictEqual(e.stoppedBy, "retryBudget")
      without("raise maxRetries")(e)
    }
  },
  {
    name: "503 whose Retry-After passes the retry budget",
    intercept: onEndpoint("workspaces", () =>
      Response.json({ msg: "maintenance" }, { status: 503, headers: { "retry-after": "7200" } })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "ServerError",
    message: "raise retryBudget",
    check: without("raise maxRetries")
  },
  {
    name: "a 501, never retried, does not advise retrying",
    intercept: onEndpoint("workspaces", () => Response.json({ msg: "not implemented" }, { status: 501 })),
    call: (api) => api.getWorkspaces(),
    tag: "ServerError",
    message: "HTTP 501 after 1 attempt(s)",
    check: without("maxRetries", "retryBudget")
  },
  {
    name: "a 429 whose Retry-After passes the call's callTimeoutMs",
    facadeOnly: true,
    intercept: onEndpoint("workspaces", () =>
      Response.json({ code: 429, msg: "slow down" }, { status: 429, headers: { "retry-after": "60" } })
    ),
    call: (api) => api.getWorkspaces({ callTimeoutMs: 5000 }),
    tag: "RateLimited",
    message: "callTimeoutMs",
    check: (e) => {
      assert.strictEqual(e.stoppedBy, "callTimeout")
      without("raise maxRetries")(e)
    }
  },
  {
    name: "a 429 asking to wait 1e12 seconds (a broken proxy)",
    intercept: onEndpoint("workspaces", () =>
      Response.json({ code: 429, msg: "quota" }, { status: 429, headers: { "retry-after": "1000000000000" } })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "RateLimited",
    message: "the retry budget (the http setting retryBudget",
    check: (e) => {
      assert.strictEqual(e.retryAfterMillis, 1e15)
      assert.strictEqual(e.stoppedBy, "retryBudget")
    }
  },
  {
    name: "429s whose Retry-After is not a number or a date (abc, -5, a date long past): the backoff, then maxRetries",
    options: fast,
    intercept: (() => {
      const values = ["abc", "-5", "Wed, 21 Oct 2015 07:28:00 GMT"]
      let n = 0
      return onEndpoint("workspaces", () =>
        Response.json(
          { code: 429, msg: "slow down" },
          { status: 429, headers: { "retry-after": values[n++ % values.length] ?? "" } }
        )
      )
    })(),
    call: (api) => api.getWorkspaces({ callTimeoutMs: 10_000 }),
    tag: "RateLimited",
    message: "after 2 attempt(s)",
    check: (e) => assert.strictEqual(e.stoppedBy, "maxRetries")
  },
  {
    name: "a 401 whose WWW-Authenticate, Set-Cookie and body echo the key",
    intercept: onEndpoint(
      "workspaces",
      () =>
        new Response(`<p>key &#x${SECRET.charCodeAt(0).toString(16)};${SECRET.slice(1)} refused</p>`, {
          status: 401,
          headers: {
            "content-type": "text/html",
            "www-authenticate": `Bearer realm="comet", error="invalid_token", token="${SECRET}"`,
            "set-cookie": `last_key=${encodeURIComponent(SECRET)}; Path=/`
          }
        })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "Unauthorized",
    message: "rejected the API key"
  },
  {
    name: "a resumed download answered with another version of the asset (its ETag changed)",
    facadeOnly: true,
    intercept: (() => {
      let n = 0
      const body = new Uint8Array(64 * 1024).fill(7)
      return onEndpoint("experiment/asset/get-asset", () => {
        n++
        if (n === 1) {
          // half the asset, then the connection breaks
          return new Response(
            new ReadableStream<Uint8Array>({
              start: (controller) => controller.enqueue(body.subarray(0, 32 * 1024)),
              pull: (controller) => controller.error(new TypeError("terminated: other side closed"))
            }),
            { headers: { etag: '"v1"', "content-length": String(body.length), "accept-ranges": "bytes" } }
          )
        }
        return new Response(new Uint8Array(body.length).fill(9), {
          headers: { etag: '"v2"', "content-length": String(body.length) }
        })
      })
    })(),
    call: async (api) => {
      for await (const chunk of api.streamExperimentAsset(KEY, asset.assetId)) {
        assert.isTrue(
          chunk.every((b) => b === 7),
          "a byte of the other version was delivered"
        )
      }
    },
    tag: "DecodeError",
    message: 'the asset changed while it was downloaded: its ETag was "v1", the server now says "v2"'
  },
  {
    name: "a JSON call that times out names timeoutMs",
    options: { timeoutMs: 50, maxRetries: 0 },
    intercept: onEndpoint("workspaces", stall),
    call: (api) => api.getWorkspaces(),
    tag: "TransportError",
    message: "raise timeoutMs, or COMET_TIMEOUT_API",
    check: (e) => {
      assert.strictEqual(e.reason, "timeout")
      without("downloadTimeoutMs")(e)
    }
  },
  {
    name: "a download that times out names downloadTimeoutMs",
    options: { downloadTimeoutMs: 50, maxRetries: 0 },
    intercept: onEndpoint("experiment/asset/get-asset", stall),
    call: (api) => api.getExperimentAsset(KEY, asset.assetId),
    tag: "TransportError",
    message: "raise downloadTimeoutMs, or COMET_TIMEOUT_FILE_DOWNLOAD",
    check: (e) => {
      assert.strictEqual(e.reason, "timeout")
      without("raise timeoutMs")(e)
    }
  },
  {
    name: "a streamed download that stalls mid-body names downloadTimeoutMs",
    facadeOnly: true,
    // a stall is retried (the download resumes): without retries the stall itself is the error
    options: { downloadTimeoutMs: 100, maxRetries: 0 },
    intercept: onEndpoint("experiment/asset/get-asset", stallMidBody),
    call: async (api) => {
      for await (const _ of api.streamExperimentAsset(KEY, asset.assetId)) {
        // the first chunk, then the stall
      }
    },
    tag: "TransportError",
    message: "in the middle of the body",
    check: (e) => {
      assert.strictEqual(e.reason, "timeout")
      assert.include(String(e.message), "raise downloadTimeoutMs")
      without("raise timeoutMs")(e)
    }
  },
  {
    name: "a same-host redirect loop is called a loop, not another host",
    intercept: onEndpoint(
      "workspaces",
      () => new Response(null, { status: 301, headers: { location: `${ORIGIN}/api/rest/v2/workspaces` } })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "TransportError",
    message: "(a redirect loop)",
    check: (e) => {
      assert.strictEqual(e.reason, "redirect")
      without("another host")(e)
    }
  },
  // ---------------------------------------------------------------- fail fast, deadlines, close (issue 13, kinds 4 and 8)
  {
    name: "connection refused fails after 2 quick retries",
    options: { http: { retryBaseDelay: "1 millis" } },
    intercept: noConnection("ECONNREFUSED"),
    call: (api) => api.getWorkspaces(),
    tag: "TransportError",
    message: "is running at the base URL",
    check: (e) => {
      assert.strictEqual(e.reason, "network")
      assert.strictEqual(e.attempts, 3)
      without("maxRetries")(e)
    }
  },
  {
    name: "a host that does not resolve fails after 2 quick retries",
    options: { http: { retryBaseDelay: "1 millis" } },
    intercept: noConnection("ENOTFOUND"),
    call: (api) => api.getWorkspaces(),
    tag: "TransportError",
    message: "ENOTFOUND",
    check: (e) => assert.strictEqual(e.attempts, 3)
  },
  {
    name: "a call whose callTimeoutMs passes while the server stalls",
    facadeOnly: true,
    intercept: onEndpoint("experiment/metadata", stall),
    call: (api) => api.getExperimentMetadata(KEY, { callTimeoutMs: 100 }),
    tag: "TransportError",
    message: "getExperimentMetadata did not complete within its deadline after 1 attempt(s): callTimeoutMs is 100",
    check: reason("deadline")
  },
  {
    name: "a client-wide callTimeoutMs",
    facadeOnly: true,
    options: { callTimeoutMs: 100 },
    intercept: onEndpoint("workspaces", stall),
    call: (api) => api.getWorkspaces(),
    tag: "TransportError",
    message: "getWorkspaces did not complete within its deadline",
    check: reason("deadline")
  },
  {
    name: "a callTimeoutMs that is not a positive number",
    facadeOnly: true,
    call: (api) => api.getWorkspaces({ callTimeoutMs: -1 }),
    tag: "InvalidArgument",
    message: "Invalid options.callTimeoutMs",
    sent: (requests) => assert.strictEqual(requests.length, 0)
  },
  {
    name: "a call in flight when the client is closed",
    facadeOnly: true,
    intercept: onEndpoint("workspaces", stall),
    call: (api) => closedWhilePending(api, (a) => a.getWorkspaces()),
    tag: "TransportError",
    message: "workspaces was cancelled because the client was closed",
    check: (e) => {
      assert.strictEqual(e.reason, "closed")
      without("AbortSignal", "0 attempt")(e)
    }
  },
  {
    name: "a stream waiting for its server when the client is closed",
    facadeOnly: true,
    intercept: onEndpoint("experiment/asset/get-asset", stall),
    call: (api) =>
      closedWhilePending(api, async (a) => {
        for await (const _ of a.streamExperimentAsset(KEY, asset.assetId)) {
          // never reached
        }
      }),
    tag: "TransportError",
    message: "experiment/asset/get-asset was cancelled because the client was closed",
    check: reason("closed")
  },
  {
    name: "a call whose signal fires while it is in flight",
    facadeOnly: true,
    intercept: onEndpoint("workspaces", stall),
    call: (api) => api.getWorkspaces({ signal: AbortSignal.timeout(30) }),
    tag: "TransportError",
    message: "getWorkspaces was cancelled by its caller",
    check: (e) => {
      assert.strictEqual(e.reason, "aborted")
      without("0 attempt")(e)
    }
  },
  // ---------------------------------------------------------------- answers about another experiment (issue 13, kind 5)
  {
    name: "metadata answered about another experiment",
    intercept: onEndpoint("experiment/metadata", () => Response.json(metadataOf(OTHER))),
    call: (api) => api.getExperimentMetadata(KEY),
    tag: "DecodeError",
    message: `the answer is about experiment "${OTHER}", but experiment "${KEY}" was asked for`,
    check: (e) => assert.strictEqual(e.path, "experimentKey")
  },
  {
    name: "a chart answered with an experiment not asked for",
    intercept: onEndpoint("experiments/multi-metric-chart", () =>
      Response.json({ experiments: { [OTHER]: chartOf(OTHER) }, empty: false })
    ),
    call: (api) => api.getMetricsForChart([KEY], ["loss"]),
    tag: "DecodeError",
    message: `the answer has experiment "${OTHER}", which was not asked for`
  },
  {
    name: "a chart filing another experiment under the key asked for",
    intercept: onEndpoint("experiments/multi-metric-chart", () =>
      Response.json({ experiments: { [KEY]: chartOf(OTHER) }, empty: false })
    ),
    call: (api) => api.getMetricsForChart([KEY], ["loss"]),
    tag: "DecodeError",
    message: `the answer files experiment "${OTHER}" under the key "${KEY}"`
  },
  {
    name: "system details naming another experiment",
    intercept: onEndpoint("experiment/system-details", () => Response.json({ ...systemDetailsOf(OTHER) })),
    call: (api) => api.getExperimentSystemDetails(KEY),
    tag: "DecodeError",
    message: `experiment "${OTHER}"`
  },
  {
    name: "an asset list whose link names another experiment",
    intercept: (request) =>
      new URL(request.url).pathname.endsWith("/experiment/asset/list")
        ? Response.json({
            assets: [
              { assetId: "a", fileName: "f", link: `${ORIGIN}/x?experimentKey=${OTHER}&assetId=a`, remote: false }
            ]
          })
        : undefined,
    call: (api) => api.getExperimentAssetList(KEY),
    tag: "DecodeError",
    message: `experiment "${OTHER}"`,
    check: (e) => assert.strictEqual(e.path, "assets[0].link")
  },
  {
    name: "a query whose matched key's metadata names another experiment",
    intercept: (request) => {
      const path = new URL(request.url).pathname
      if (path.endsWith("/project/query")) return Response.json({ experimentKeys: [STRANGER] })
      if (path.endsWith("/experiment/metadata")) return Response.json(metadataOf(OTHER))
      return undefined
    },
    call: (api) => api.query(ws.name, project.projectName, 'Metric("loss") < 100'),
    tag: "DecodeError",
    message: `the answer is about experiment "${OTHER}", but experiment "${STRANGER}" was asked for`
  },
  {
    name: "a project by id answered with another project",
    intercept: onEndpoint("project", () => Response.json({ ...projectJson, projectId: STRANGER })),
    call: (api) => api.getProject(undefined, undefined, project.projectId),
    tag: "DecodeError",
    message: `the answer is about project "${STRANGER}"`
  },
  // ---------------------------------------------------------------- absence is not success (kind 6)
  {
    name: 'code answered {"status":"ok"}',
    intercept: onEndpoint("experiment/code", () => Response.json({ status: "ok" })),
    call: (api) => api.getExperimentCode(KEY),
    tag: "DecodeError",
    message: "field code: is missing"
  },
  {
    name: 'installed packages answered {"status":"ok"}',
    intercept: onEndpoint("experiment/system-details", () => Response.json({ status: "ok" })),
    call: (api) => api.getExperimentInstalledPackages(KEY),
    tag: "DecodeError",
    message: "is missing"
  },
  {
    name: 'project notes answered {"status":"ok"}',
    intercept: onEndpoint("project/notes", () => Response.json({ status: "ok" })),
    call: (api) => api.getProjectNotes(project.projectId),
    tag: "DecodeError",
    message: "field notes: is missing"
  },
  {
    name: 'git metadata answered {"status":"ok"}',
    intercept: onEndpoint("experiment/git/metadata", () => Response.json({ status: "ok" })),
    call: (api) => api.getExperimentGitMetadata(KEY),
    tag: "DecodeError",
    message: "is missing"
  },
  {
    name: "account details without the default workspace",
    intercept: onEndpoint("account-details", () => Response.json({ userName: "someone" })),
    call: (api) => api.getDefaultWorkspace(),
    tag: "DecodeError",
    message: "field defaultWorkspaceName: is missing"
  },
  {
    name: "a git patch answered 200 with Comet's not-found JSON",
    intercept: onEndpoint("experiment/git/patch", () =>
      Response.json({ code: 404, msg: "Experiment not found", sdk_error_code: 90211 })
    ),
    call: (api) => api.getExperimentGitPatch(KEY),
    tag: "NotFound",
    message: 'Comet says: "Experiment not found"'
  },
  // ---------------------------------------------------------------- any input from JavaScript (kind 7)
  {
    name: 'getMetricsForChart(keys, "loss") from JavaScript',
    call: (api) => untyped(api).getMetricsForChart!([KEY], "loss"),
    tag: "InvalidArgument",
    message: 'Invalid metrics "loss": must be an array of metric names (strings), not a string.',
    sent: (requests) => assert.strictEqual(requests.length, 0)
  },
  {
    name: "getExperimentTags(null) from JavaScript",
    call: (api) => untyped(api).getExperimentTags!(null),
    tag: "InvalidArgument",
    message: 'Invalid experimentKey "null": must be an experiment key (a string), not null.',
    sent: (requests) => assert.strictEqual(requests.length, 0)
  },
  {
    name: "query(ws, project, 123) from JavaScript",
    call: (api) => untyped(api).query!(ws.name, project.projectName, 123),
    tag: "InvalidArgument",
    message: 'Invalid query "123"',
    sent: (requests) => assert.strictEqual(requests.length, 0)
  },
  {
    name: "getExperimentByName(null, …) from JavaScript",
    call: (api) => untyped(api).getExperimentByName!(null, { workspace: ws.name, projectName: project.projectName }),
    tag: "InvalidArgument",
    message: 'Invalid experimentName "null": must be an experiment name (a string), not null.',
    sent: (requests) => assert.strictEqual(requests.length, 0)
  },
  {
    name: "an options object that is a string",
    call: (api) => untyped(api).getExperimentAssetList!(KEY, "image"),
    tag: "InvalidArgument",
    message: 'Invalid options "image"',
    sent: (requests) => assert.strictEqual(requests.length, 0)
  },
  {
    name: "a query option of the wrong value",
    call: (api) => untyped(api).query!(ws.name, project.projectName, 'Metric("loss") < 1', { orStrategy: "fast" }),
    tag: "InvalidArgument",
    message: 'must be "nested" or "dnf"'
  },
  {
    name: "a signal that is not an AbortSignal",
    facadeOnly: true,
    call: (api) => untyped(api).getWorkspaces!({ signal: "stop" }),
    tag: "InvalidArgument",
    message: 'Invalid options.signal "stop": must be an AbortSignal, not a string.'
  },
  {
    name: "a base URL that is a number",
    options: { baseUrl: 42 as unknown as string },
    call: (api) => api.getWorkspaces(),
    tag: "ConfigurationError",
    message: "Configuration problem with baseUrl: must be a string, not the number 42."
  },
  {
    name: "deeply nested JSON where a string is expected",
    intercept: onEndpoint(
      "workspaces",
      () =>
        new Response(`{"workspaceNames":[${"[".repeat(6000)}${"]".repeat(6000)}]}`, {
          headers: { "content-type": "application/json" }
        })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: "field workspaceNames[0]"
  },
  // ---------------------------------------------------------------- the key in any form (kind 9)
  {
    name: "a 401 quoting the key JSON-escaped",
    intercept: onEndpoint("workspaces", () =>
      Response.json({ code: 401, msg: `bad key ${escaped(SECRET)}`, sdk_error_code: 90212 }, { status: 401 })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "Unauthorized",
    message: 'Comet says: "bad key <redacted>"'
  },
  {
    name: "a 200 page quoting the key percent-encoded and in base64",
    intercept: onEndpoint(
      "workspaces",
      () =>
        new Response(
          `<p>${encodeURIComponent(SECRET).replace(/[A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)} ${btoa(`key=${SECRET}`)}</p>`,
          {
            headers: { "content-type": "text/html" }
          }
        )
    ),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: 'Content-Type "text/html"',
    check: (e) => assert.match(String(e.excerpt), /^<p><redacted> [A-Za-z0-9+/]*<redacted>[A-Za-z0-9+/=]*<\/p>$/)
  },
  {
    name: "a 200 page quoting the key in hex and uppercase",
    intercept: onEndpoint(
      "workspaces",
      () =>
        new Response(`<p>${Buffer.from(SECRET).toString("hex")} ${SECRET.toUpperCase()}</p>`, {
          headers: { "content-type": "text/html" }
        })
    ),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: "<redacted> <redacted>"
  },
  {
    name: "a redirect to a host built from the key",
    intercept: (request) =>
      new URL(request.url).pathname.endsWith("/workspaces")
        ? new Response(null, {
            status: 302,
            headers: { location: `https://${request.headers.get("authorization")}.evil.example/` }
          })
        : undefined,
    call: (api) => api.getWorkspaces(),
    tag: "TransportError",
    message: "redirecting to https://<redacted>.evil.example, which is not followed",
    check: reason("redirect")
  },
  {
    name: "a key pasted with a zero-width space",
    options: { apiKey: `${SECRET.slice(0, 9)}\u200b${SECRET.slice(9)}` },
    call: (api) => api.getWorkspaces(),
    tag: "ConfigurationError",
    message: "contains a zero-width space (U+200B) at character 10",
    sent: (requests) => assert.strictEqual(requests.length, 0)
  },
  {
    name: "a key pasted with a byte order mark",
    options: { apiKey: `\ufeff${SECRET}` },
    call: (api) => api.getWorkspaces(),
    tag: "ConfigurationError",
    message: "a byte order mark",
    sent: (requests) => assert.strictEqual(requests.length, 0)
  },
  {
    name: "a call on a closed client",
    facadeOnly: true,
    call: async (api) => {
      await api.close()
      return api.getWorkspaces()
    },
    tag: "ConfigurationError",
    message: "this API instance was closed"
  },
  {
    name: "a call whose signal already fired",
    facadeOnly: true,
    call: (api) => api.getWorkspaces({ signal: AbortSignal.abort() }),
    tag: "TransportError",
    message: "getWorkspaces was cancelled by its caller",
    check: (e) => {
      assert.strictEqual(e.reason, "aborted")
      without("0 attempt", "Request to call")(e)
    }
  }
]

interface Outcome {
  readonly error: unknown
  readonly capture: Capture
  /** Failures that were not in the typed error channel (defects): must stay empty. */
  readonly defects: ReadonlyArray<unknown>
}

const fetchFor = (c: Case): typeof globalThis.fetch =>
  c.intercept === undefined
    ? emu.fetch
    : async (input, init) => (await c.intercept?.(new Request(input, init))) ?? emu.fetch(input, init)

/** Run one case through the facade over the emulator (behind the case's proxy), everything captured. */
const runFacade = async (c: Case): Promise<Outcome> => {
  const capture = new Capture()
  const api = facade(fetchFor(c), capture, { ...c.options, sources: CometConfig.staticSources({}) })
  try {
    await c.call(api)
    return { error: undefined, capture, defects: [] }
  } catch (error) {
    capture.error(error)
    return { error, capture, defects: [] }
  } finally {
    await api.close()
  }
}

/**
 * Run one case through `CometApi` itself: the layers the facade builds (Config → CometHttp →
 * CometApi), the same calls made on the Effect service. Every failure must arrive in the typed
 * error channel: a defect (an untyped throw) is recorded and fails the case.
 */
const runEffect = async (c: Case): Promise<Outcome> => {
  const capture = new Capture()
  const defects: Array<unknown> = []
  const o = { apiKey: SECRET, baseUrl: ORIGIN, ...c.options }
  const layer = CometApiLayer.layerConfigWith({ chartChunkSize: o.chartChunkSize }).pipe(
    Layer.provideMerge(Http.layerConfigWith(o.http ?? {})),
    Layer.provideMerge(Panel.layerUnavailable("this API was created with panel: false.")),
    Layer.provide(capture.client(fetchFor(c))),
    Layer.provide(
      CometConfig.layer({
        apiKey: o.apiKey,
        baseUrl: o.baseUrl,
        maxConcurrency: o.maxConcurrency,
        maxRetries: o.maxRetries,
        timeoutMs: o.timeoutMs,
        downloadTimeoutMs: o.downloadTimeoutMs,
        allowInsecureHttp: o.allowInsecureHttp,
        sources: CometConfig.staticSources({})
      })
    )
  )
  const settle = <A>(exit: Exit.Exit<A, unknown>): A => {
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure)) {
      defects.push(Cause.squash(exit.cause))
      throw Cause.squash(exit.cause)
    }
    throw failure.value
  }
  const exit = await Effect.runPromiseExit(
    Effect.scoped(
      Effect.gen(function* () {
        const ctx = yield* Layer.build(layer)
        const runtime = yield* Effect.provide(Effect.runtime<CometApi | PanelContext>(), ctx)
        const api = Context.get(ctx, CometApi)
        // the case's calls, made on the service: each method's Effect run to a Promise
        const promised = new Proxy(api, {
          get: (target, property) => {
            const member: unknown = Reflect.get(target, property)
            if (typeof member !== "function") return member
            return (...args: ReadonlyArray<unknown>) =>
              Runtime.runPromiseExit(runtime)(
                (member as (...a: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown, CometApi | PanelContext>)(
                  ...args
                )
              ).then(settle)
          }
        })
        return yield* Effect.promise(() =>
          c.call(promised as unknown as API).then(
            () => undefined,
            (e: unknown) => e
          )
        )
      })
    )
  )
  let error: unknown
  try {
    error = settle(exit)
  } catch (e) {
    error = e
  }
  if (error !== undefined) capture.error(error)
  return { error, capture, defects }
}

const flavours = { facade: runFacade, CometApi: runEffect } as const

describe("bad-input catalogue", () => {
  it("has at least 40 cases, with distinct names", () => {
    assert.isAtLeast(cases.length, 40)
    assert.strictEqual(new Set(cases.map((c) => c.name)).size, cases.length)
  })

  for (const [flavour, run] of Object.entries(flavours)) {
    for (const c of cases) {
      if (flavour !== "facade" && c.facadeOnly === true) continue
      it.live(`${flavour}: ${c.name} → ${c.tag}`, () =>
        Effect.promise(async () => {
          const { error, capture, defects } = await run(c)
          assert.deepStrictEqual(defects, [])
          assert.isDefined(error, "the call succeeded")
          assert.instanceOf(error, Error)
          assert.isTrue(isCometError(error), `not a CometError: ${String(error)}`)
          const e = error as Error & Record<string, unknown>
          assert.strictEqual(e._tag, c.tag, e.message)
          if (typeof c.message === "string") assert.include(e.message, c.message)
          else assert.match(e.message, c.message)
          c.check?.(e)
          c.sent?.(capture.requests)
          // the key (and a wrong key) appears nowhere but in Authorization to the emulator
          for (const secret of [SECRET, WRONG_KEY]) assert.deepStrictEqual(capture.leaks(secret, [ORIGIN]), [])
          // requests that reached the server were traced and carried the key
          if (capture.requests.length > 0) assert.isAbove(capture.spans.length, 0)
          for (const r of capture.requests) assert.oneOf(r.headers.authorization, [SECRET, WRONG_KEY])
        })
      )
    }
  }
})
