/**
 * Issue 13, kinds 5, 6, 7 and 9, over real loopback sockets against small hostile servers
 * written here, through every transport adapter (fetch and node:http):
 *
 * - kind 5, answers about the wrong entity are refused: metadata, system details, git metadata,
 *   asset lists, models, summaries and metric points naming another experiment, chart answers
 *   with keys not asked for or filed under another key, a project answer about another project,
 *   and a query whose matched key's metadata names another experiment — a DecodeError naming
 *   the mismatch, never the other experiment's data, never a TypeError;
 * - kind 6, absence is not success: a 200 without the field asked for is a DecodeError (a
 *   `NotFound` where the body is Comet's not-found error); a git patch answered with Comet's
 *   error JSON is that error, not patch bytes;
 * - kind 7, any input from JavaScript is a typed error: wrong runtime types reach the facade
 *   and the CometApi service and end as an InvalidArgument naming the argument, before any
 *   request; deeply nested JSON is a DecodeError;
 * - kind 9, the key in any form: answers echoing the key JSON-escaped, percent-encoded, base64,
 *   hex or HTML-escaped, and a redirect to a host built from it, leave it in no error, log,
 *   span or URL; a key with an invisible character is a ConfigurationError and nothing is sent.
 */
import { CometConfig, isCometError, SystemDetails } from "@comet-ts/core"
import * as Http from "@comet-ts/http"
import { Metric } from "@comet-ts/query"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option, Redacted, Stream } from "effect"
import { type API, type APIOptions, CometApi, CometApiLayer, Panel } from "../src/index.js"
import { SECRET } from "./support/facade.js"
import { adapters, Capture, type Handler, hostileApi, hostileServer, rejection, type Seen } from "./support/hostile.js"

const A = "a1".repeat(16)
const B = "b2".repeat(16)
const C = "c3".repeat(16)
const P = "9f".repeat(16)
const Q = "8e".repeat(16)

const meta = (key: string) => ({
  experimentKey: key,
  experimentName: `run-${key.slice(0, 4)}`,
  optimizationId: null,
  projectId: P,
  projectName: "proj",
  workspaceName: "ws",
  filePath: null,
  fileName: null,
  durationMillis: 10,
  startTimeMillis: 1,
  endTimeMillis: 11,
  archived: false,
  userName: "someone",
  running: false,
  throttle: false
})

const summary = (name: string, value: string) => ({
  name,
  valueMax: value,
  valueMin: value,
  valueCurrent: value,
  timestampMax: 1,
  timestampMin: 1,
  timestampCurrent: 1,
  runContextMax: null,
  runContextMin: null,
  runContextCurrent: null,
  stepMax: 1,
  stepMin: 1,
  stepCurrent: 1,
  editable: false
})

const asset = (key: string, remote = false) => ({
  assetId: "asset-1",
  fileName: "model.bin",
  fileSize: 3,
  runContext: null,
  step: null,
  remote,
  link: remote
    ? `https://www.comet.com/api/asset/download?experimentKey=${key}&assetId=x`
    : `https://www.comet.com/api/asset/download?experimentKey=${key}&assetId=asset-1`,
  compressedAssetLink: null,
  curlDownload: null,
  createdAt: 1,
  dir: "assets",
  canView: false,
  audio: false,
  video: false,
  histogram: false,
  image: false,
  type: "asset",
  metadata: null,
  tags: []
})

const chartExperiment = (key: string, inner = key) => ({
  experimentKey: inner,
  experimentName: null,
  steps: null,
  epochs: null,
  metrics: [
    { metricName: "loss", values: [0.5, 0.25], steps: [0, 1], epochs: null, timestamps: null, durations: null }
  ],
  params: null
})

/** System details with every key the wire reference lists (null but the key and the packages). */
const systemDetails = (key: string, installed: ReadonlyArray<string> = ["numpy==2.0"]) => ({
  ...Object.fromEntries(Object.keys(SystemDetails.fields).map((k) => [k, null])),
  experimentKey: key,
  installedPackages: installed
})

const json = (value: unknown): ReturnType<Handler> => ({ json: value })

/** Answer each path with a value; anything else is a 404. */
const routes =
  (table: Readonly<Record<string, (s: Seen) => unknown>>): Handler =>
  (s) => {
    const f = table[s.path]
    return f === undefined ? undefined : json(f(s))
  }

type Tag =
  | "DecodeError"
  | "NotFound"
  | "InvalidArgument"
  | "ConfigurationError"
  | "Unauthorized"
  | "BadRequest"
  | "ServerError"
  | "TransportError"

interface Case {
  readonly name: string
  readonly handle: Handler
  readonly call: (api: API) => Promise<unknown>
  readonly tag: Tag
  readonly message: string | RegExp
  /** What the hostile server must have seen (default: anything). */
  readonly seen?: (seen: ReadonlyArray<Seen>) => void
  readonly check?: (e: Error & Record<string, unknown>) => void
}

const nothingSent = (seen: ReadonlyArray<Seen>) => assert.deepStrictEqual(seen, [])
const path = (p: string) => (e: Record<string, unknown>) => assert.strictEqual(e.path, p)

/** Run each case through the facade over each adapter; the key must leak nowhere. */
const runCases = (title: string, cases: ReadonlyArray<Case>) =>
  describe(title, () => {
    for (const adapter of Object.keys(adapters) as ReadonlyArray<keyof typeof adapters>) {
      for (const c of cases) {
        it.live(
          `${adapter}: ${c.name} → ${c.tag}`,
          () =>
            Effect.gen(function* () {
              const server = yield* hostileServer(c.handle)
              const capture = new Capture()
              const api = hostileApi(server.origin, adapter, capture)
              const e = yield* Effect.promise(() => rejection(c.call(api)).finally(() => api.close()))
              capture.error(e)
              assert.strictEqual(e._tag, c.tag, e.message)
              if (typeof c.message === "string") assert.include(e.message, c.message)
              else assert.match(e.message, c.message)
              c.check?.(e)
              c.seen?.(server.seen)
              assert.deepStrictEqual(capture.leaks(SECRET, [server.origin]), [])
            }).pipe(Effect.scoped),
          20_000
        )
      }
    }
  })

// ---------------------------------------------------------------- kind 5
runCases("kind 5: an answer about another experiment is refused", [
  {
    name: "getExperimentMetadata(A) answered with B's metadata",
    handle: routes({ "experiment/metadata": () => meta(B) }),
    call: (api) => api.getExperimentMetadata(A),
    tag: "DecodeError",
    message: `the answer is about experiment "${B}", but experiment "${A}" was asked for`,
    check: path("experimentKey")
  },
  {
    name: "getExperimentByKey(A) answered with B's metadata",
    handle: routes({ "experiment/metadata": () => meta(B) }),
    call: (api) => api.getExperimentByKey(A),
    tag: "DecodeError",
    message: `experiment "${B}"`
  },
  {
    name: "get('ws/proj/A') answered with B's metadata",
    handle: routes({ "experiment/metadata": () => meta(B) }),
    call: (api) => api.get(`ws/proj/${A}`),
    tag: "DecodeError",
    message: `experiment "${B}"`
  },
  {
    name: "system details naming B",
    handle: routes({ "experiment/system-details": () => systemDetails(B) }),
    call: (api) => api.getExperimentInstalledPackages(A),
    tag: "DecodeError",
    message: `experiment "${B}"`,
    check: path("experimentKey")
  },
  {
    name: "git metadata naming B",
    handle: routes({
      "experiment/git/metadata": () => ({
        experimentKey: B,
        user: "u",
        root: "/",
        branch: "main",
        parent: null,
        origin: null
      })
    }),
    call: (api) => api.getExperimentGitMetadata(A),
    tag: "DecodeError",
    message: `experiment "${B}"`
  },
  {
    name: "an asset list whose download link names B",
    handle: routes({ "experiment/asset/list": () => ({ assets: [asset(A), asset(B)] }) }),
    call: (api) => api.getExperimentAssetList(A),
    tag: "DecodeError",
    message: `experiment "${B}"`,
    check: path("assets[1].link")
  },
  {
    name: "images (an asset list) naming B",
    handle: routes({ "experiment/asset/list": () => ({ assets: [asset(B)] }) }),
    call: (api) => api.getExperimentImages(A),
    tag: "DecodeError",
    message: `experiment "${B}"`
  },
  {
    name: "models of B",
    handle: routes({
      "experiment/model": () => ({
        models: [{ experimentModelId: "m", experimentKey: B, modelName: "net", registryRecords: [] }]
      })
    }),
    call: (api) => api.getExperimentModels(A),
    tag: "DecodeError",
    message: `experiment "${B}"`,
    check: path("models[0].experimentKey")
  },
  {
    name: "summaries whose entries name B",
    handle: routes({
      "experiment/metrics/summary": () => ({ values: [{ ...summary("loss", "0.1"), experimentKey: B }] })
    }),
    call: (api) => api.getExperimentMetricsSummaries(A),
    tag: "DecodeError",
    message: `experiment "${B}"`
  },
  {
    name: "metric points naming B (snake_case)",
    handle: routes({
      "experiment/metrics/get-metric": () => ({
        metrics: [
          {
            metricName: "loss",
            metricValue: "0.1",
            timestamp: 1,
            step: 0,
            epoch: null,
            runContext: null,
            offset: 0,
            experiment_key: B
          }
        ]
      })
    }),
    call: (api) => api.getExperimentMetric(A, "loss"),
    tag: "DecodeError",
    message: `experiment "${B}"`
  },
  {
    name: "getMetricsForChart([A]) answered with {B: …}: the merge adds no key not asked for",
    handle: routes({
      "experiments/multi-metric-chart": () => ({ experiments: { B: chartExperiment(B) }, empty: false })
    }),
    call: (api) => api.getMetricsForChart([A], ["loss"]),
    tag: "DecodeError",
    message: 'the answer has experiment "B", which was not asked for'
  },
  {
    name: "getMetricsForChart([A]) answered with {A: …, B: …}",
    handle: routes({
      "experiments/multi-metric-chart": () => ({ experiments: { [A]: chartExperiment(A), [B]: chartExperiment(B) } })
    }),
    call: (api) => api.getMetricsForChart([A], ["loss"]),
    tag: "DecodeError",
    message: `the answer has experiment "${B}", which was not asked for`
  },
  {
    name: "getMetricsForChart([A]) with an inner experimentKey B under the key A",
    handle: routes({ "experiments/multi-metric-chart": () => ({ experiments: { [A]: chartExperiment(A, B) } }) }),
    call: (api) => api.getMetricsForChart([A], ["loss"]),
    tag: "DecodeError",
    message: `the answer files experiment "${B}" under the key "${A}"`
  },
  {
    name: "APIExperiment.getMetricsForChart (batched) answered with another experiment",
    handle: routes({
      "experiment/metadata": (s) => meta(s.query.get("experimentKey") ?? ""),
      "experiments/multi-metric-chart": () => ({ experiments: { [A]: chartExperiment(A), [B]: chartExperiment(B) } })
    }),
    call: async (api) => {
      const [a, c] = await Promise.all([api.getExperimentByKey(A), api.getExperimentByKey(C)])
      return Promise.all([a.getMetricsForChart(["loss"]), c.getMetricsForChart(["loss"])])
    },
    tag: "DecodeError",
    message: `experiment "${B}", which was not asked for`
  },
  {
    name: "query() whose matched key's metadata names another experiment (no TypeError)",
    handle: routes({
      "project/column-names": () => ({
        columns: [{ name: "loss", id: "loss--metrics", type: "double", source: "metrics" }]
      }),
      "project/query": () => ({ experimentKeys: [A] }),
      experiments: () => ({ experiments: [] }),
      "experiment/metadata": () => meta(B)
    }),
    call: (api) => api.query("ws", "proj", Metric("loss").lt(1)),
    tag: "DecodeError",
    message: `experiment "${B}"`
  },
  {
    name: "getProject by id answered with another project",
    handle: routes({
      project: () => ({
        projectId: Q,
        projectName: "other",
        ownerUserName: "u",
        projectDescription: null,
        workspaceName: "ws",
        numberOfExperiments: 1,
        lastUpdated: 1,
        public: false
      })
    }),
    call: (api) => api.getProject(undefined, undefined, P),
    tag: "DecodeError",
    message: `the answer is about project "${Q}", but project "${P}" was asked for`
  },
  {
    name: "getProjectNotes(ws, proj) whose project lookup names another workspace's project id… then notes missing",
    handle: routes({
      project: () => ({
        projectId: P,
        projectName: "proj",
        ownerUserName: "u",
        projectDescription: null,
        workspaceName: "ws",
        numberOfExperiments: 1,
        lastUpdated: 1,
        public: false
      }),
      "project/notes": () => ({ status: "ok" })
    }),
    call: (api) => api.getProjectNotes("ws", "proj"),
    tag: "DecodeError",
    message: "field notes: is missing"
  }
])

describe("kind 5: what is the experiment's own is still returned", () => {
  it.live("a remote asset may link to anything; Comet's links name the experiment asked for", () =>
    Effect.gen(function* () {
      const server = yield* hostileServer(
        routes({ "experiment/asset/list": () => ({ assets: [asset(A), asset(B, true)] }) })
      )
      const capture = new Capture()
      const api = hostileApi(server.origin, "fetch", capture)
      const assets = yield* Effect.promise(() => api.getExperimentAssetList(A).finally(() => api.close()))
      assert.deepStrictEqual(
        assets.map((a) => a.remote),
        [false, true]
      )
    }).pipe(Effect.scoped)
  )

  it.live("a chart answer with only the keys asked for merges them all (chunks included)", () =>
    Effect.gen(function* () {
      const server = yield* hostileServer((s) => {
        if (s.path !== "experiments/multi-metric-chart") return undefined
        const keys = (JSON.parse(s.body) as { targetedExperiments: ReadonlyArray<string> }).targetedExperiments
        return json({ experiments: Object.fromEntries(keys.map((k) => [k, chartExperiment(k)])) })
      })
      const capture = new Capture()
      const api = hostileApi(server.origin, "node:http", capture, { chartChunkSize: 2 })
      const chart = yield* Effect.promise(() => api.getMetricsForChart([A, B, C], ["loss"]).finally(() => api.close()))
      assert.deepStrictEqual(Object.keys(chart).sort(), [A, B, C].sort())
      assert.strictEqual(server.seen.length, 2)
    }).pipe(Effect.scoped)
  )
})

// ---------------------------------------------------------------- kind 6
const ok = (path: string) => routes({ [path]: () => ({ status: "ok" }) })

/** A per-experiment read answered `{"status":"ok"}`: a DecodeError naming the missing field. */
const statusOk = (
  method:
    | "getExperimentCode"
    | "getExperimentOutput"
    | "getExperimentHtml"
    | "getExperimentModelGraph"
    | "getExperimentInstalledPackages"
    | "getExperimentGitMetadata"
    | "getExperimentTags",
  endpoint: string,
  message: string
): Case => ({
  name: `${method} with {"status":"ok"}`,
  handle: ok(endpoint),
  call: (api) => api[method](A),
  tag: "DecodeError",
  message
})

runCases("kind 6: absence is not success", [
  statusOk("getExperimentCode", "experiment/code", "field code: is missing"),
  statusOk("getExperimentOutput", "experiment/output", "field output: is missing"),
  statusOk("getExperimentHtml", "experiment/html", "field html: is missing"),
  statusOk("getExperimentModelGraph", "experiment/graph", "field graph: is missing"),
  statusOk("getExperimentInstalledPackages", "experiment/system-details", "is missing"),
  statusOk("getExperimentGitMetadata", "experiment/git/metadata", "is missing"),
  statusOk("getExperimentTags", "experiment/tags", "field tags: is missing"),
  {
    name: "getExperimentInstalledPackages with system details lacking installedPackages",
    handle: routes({
      "experiment/system-details": () => {
        const { installedPackages: _, ...rest } = systemDetails(A)
        return rest
      }
    }),
    call: (api) => api.getExperimentInstalledPackages(A),
    tag: "DecodeError",
    message: "field installedPackages: is missing"
  },
  {
    name: 'getProjectNotes(projectId) with {"status":"ok"}',
    handle: ok("project/notes"),
    call: (api) => api.getProjectNotes(P),
    tag: "DecodeError",
    message: "field notes: is missing"
  },
  {
    name: "getDefaultWorkspace when account details lack defaultWorkspaceName",
    handle: routes({ "account-details": () => ({ userName: "u" }) }),
    call: (api) => api.getDefaultWorkspace(),
    tag: "DecodeError",
    message: "field defaultWorkspaceName: is missing"
  },
  {
    name: "getExperimentName when the Name summary lacks its value (no silent fallback)",
    handle: routes({ "experiment/log-other": () => ({ values: [{ name: "Name" }] }) }),
    call: (api) => api.getExperimentName(A),
    tag: "DecodeError",
    message: "is missing"
  },
  {
    name: "a git patch answered 200 with Comet's not-found error JSON",
    handle: routes({
      "experiment/git/patch": () => ({ code: 404, msg: "Experiment not found", sdk_error_code: 90211 })
    }),
    call: (api) => api.getExperimentGitPatch(A),
    tag: "NotFound",
    message: `Comet has no experiment "${A}"`
  },
  {
    name: "a git patch answered 200 with Comet's error JSON naming only an sdk_error_code",
    handle: routes({ "experiment/git/patch": () => ({ msg: "Experiment not found", sdk_error_code: 90211 }) }),
    call: (api) => api.getExperimentGitPatch(A),
    tag: "NotFound",
    message: 'Comet says: "Experiment not found"'
  },
  {
    name: "a git patch answered 200 with a 500 error JSON",
    handle: routes({ "experiment/git/patch": () => ({ code: 500, msg: "boom" }) }),
    call: (api) => api.getExperimentGitPatch(A),
    tag: "ServerError",
    message: "HTTP 500"
  },
  {
    name: "a git patch answered 200 with JSON that is neither a patch nor a message",
    handle: routes({ "experiment/git/patch": () => ({ status: "ok" }) }),
    call: (api) => api.getExperimentGitPatch(A),
    tag: "DecodeError",
    message: "neither a patch"
  }
])

describe("kind 6: what the wire reference allows still passes", () => {
  it.live("null values where the wire reference allows them; a patch; Comet's no-patch message", () =>
    Effect.gen(function* () {
      const patch = new TextEncoder().encode("diff --git a/x b/x\n")
      let patchAnswer: "patch" | "none" = "patch"
      const server = yield* hostileServer((s) => {
        if (s.path === "experiment/code") return json({ code: null })
        if (s.path === "project/notes") return json({ notes: null })
        if (s.path === "experiment/system-details") return json({ ...systemDetails(A), installedPackages: null })
        if (s.path === "experiment/git/patch") {
          return patchAnswer === "patch"
            ? { status: 200, headers: { "content-type": "application/octet-stream" }, body: patch }
            : json({ msg: "No git patch for this experiment" })
        }
        return undefined
      })
      const capture = new Capture()
      const api = hostileApi(server.origin, "fetch", capture)
      assert.isNull(yield* Effect.promise(() => api.getExperimentCode(A)))
      assert.strictEqual(yield* Effect.promise(() => api.getProjectNotes(P)), "")
      assert.deepStrictEqual(yield* Effect.promise(() => api.getExperimentInstalledPackages(A)), [])
      assert.deepStrictEqual(yield* Effect.promise(() => api.getExperimentGitPatch(A)), patch)
      patchAnswer = "none"
      assert.isNull(yield* Effect.promise(() => api.getExperimentGitPatch(A)))
      yield* Effect.promise(() => api.close())
    }).pipe(Effect.scoped)
  )
})

// ---------------------------------------------------------------- kind 7
const everything: Handler = routes({
  "experiment/metadata": (s) => meta(s.query.get("experimentKey") ?? A),
  experiments: () => ({ experiments: [meta(A)] })
})

/** `new API(options)` with an option of the wrong runtime type: every call is a ConfigurationError, nothing is sent. */
const badOptions = (what: string, options: Partial<APIOptions>, message: string): Case => ({
  name: `new API({ ${what} })`,
  handle: everything,
  call: () => {
    const bad = hostileApi("http://127.0.0.1:1", "fetch", new Capture(), options)
    return bad.getMetricsForChart([A], ["loss"]).finally(() => bad.close())
  },
  tag: "ConfigurationError",
  message,
  seen: nothingSent
})

/** A JavaScript caller: the facade's types do not apply. */
const js = (api: API): Record<string, (...args: ReadonlyArray<unknown>) => Promise<unknown>> =>
  api as unknown as Record<string, (...args: ReadonlyArray<unknown>) => Promise<unknown>>

runCases("kind 7: wrong runtime types from JavaScript are InvalidArgument, before any request", [
  {
    name: 'getMetricsForChart(keys, "loss")',
    handle: everything,
    call: (api) => js(api).getMetricsForChart!([A], "loss"),
    tag: "InvalidArgument",
    message: 'Invalid metrics "loss": must be an array of metric names (strings), not a string.',
    seen: nothingSent
  },
  {
    name: "getMetricsForChart([A, 42], …)",
    handle: everything,
    call: (api) => js(api).getMetricsForChart!([A, 42], ["loss"]),
    tag: "InvalidArgument",
    message: 'Invalid experiments[1] "42": must be an experiment key (a string) or an experiment',
    seen: nothingSent
  },
  {
    name: "getMetricsForChart([{ id }])",
    handle: everything,
    call: (api) => js(api).getMetricsForChart!([{ id: A }], ["loss"]),
    tag: "InvalidArgument",
    message: "experiments[0].key",
    seen: nothingSent
  },
  {
    name: "getExperimentTags(null)",
    handle: everything,
    call: (api) => js(api).getExperimentTags!(null),
    tag: "InvalidArgument",
    message: 'Invalid experimentKey "null": must be an experiment key (a string), not null.',
    seen: nothingSent
  },
  {
    name: "query(ws, p, 123)",
    handle: everything,
    call: (api) => js(api).query!("ws", "proj", 123),
    tag: "InvalidArgument",
    message: 'Invalid query "123": must be a query: Python-syntax text or a Query value, not the number 123.',
    seen: nothingSent
  },
  {
    name: "getExperimentByName(null, …)",
    handle: everything,
    call: (api) => js(api).getExperimentByName!(null, { workspace: "ws", projectName: "proj" }),
    tag: "InvalidArgument",
    message: 'Invalid experimentName "null"',
    seen: nothingSent
  },
  {
    name: "getExperimentByName(experiment.name) for an unnamed experiment (typed code: name is string | null)",
    handle: routes({
      "experiment/metadata": () => ({ ...meta(A), experimentName: null }),
      experiments: () => ({ experiments: [] })
    }),
    call: async (api) => {
      const e = await api.getExperimentByKey(A)
      return api.getExperimentByName(e.name as string, { workspace: e.workspace, projectName: e.projectName })
    },
    tag: "InvalidArgument",
    message: "experimentName",
    seen: (seen) =>
      assert.deepStrictEqual(
        seen.map((s) => s.path),
        ["experiment/metadata"]
      )
  },
  {
    name: "getExperiments(ws, proj, /regex/) (a RegExp, not a string)",
    handle: everything,
    call: (api) => js(api).getExperiments!("ws", "proj", /run-.*/),
    tag: "InvalidArgument",
    message: 'Invalid pattern "a RegExp": must be a regular expression (a string), not a RegExp.',
    seen: nothingSent
  },
  {
    name: "getExperimentAsset(key, id, { returnType: 1 })",
    handle: everything,
    call: (api) => js(api).getExperimentAsset!(A, "x", { returnType: 1 }),
    tag: "InvalidArgument",
    message: "options.returnType",
    seen: nothingSent
  },
  {
    name: "an options object that is a string",
    handle: everything,
    call: (api) => js(api).getExperimentAssetList!(A, "image"),
    tag: "InvalidArgument",
    message:
      'Invalid options "image": must be an options object ({ signal?, callTimeoutMs? }), not a string; Python\'s positional asset_type is the option assetType here: getExperimentAssetList(…, { assetType: "image" })',
    seen: nothingSent
  },
  {
    name: "a signal that is not an AbortSignal",
    handle: everything,
    call: (api) => js(api).getExperimentTags!(A, { signal: "stop" }),
    tag: "InvalidArgument",
    message: 'Invalid options.signal "stop": must be an AbortSignal, not a string.',
    seen: nothingSent
  },
  {
    name: "query options with an unknown orStrategy",
    handle: everything,
    call: (api) => js(api).query!("ws", "proj", 'Metric("loss") < 1', { orStrategy: "fast" }),
    tag: "InvalidArgument",
    message: 'options.orStrategy "fast": must be "nested" or "dnf"',
    seen: nothingSent
  },
  {
    name: "queryProject with predicates that are not predicates",
    handle: everything,
    call: (api) => js(api).queryProject!("ws", "proj", [{ source: "metrics" }]),
    tag: "InvalidArgument",
    message: "predicates",
    seen: nothingSent
  },
  {
    name: "queryProject with predicates nested 10,000 deep",
    handle: everything,
    call: (api) => {
      let group: unknown = { id: "loss", field: "loss", type: "double", operator: "less", value: 1 }
      for (let i = 0; i < 10_000; i++) group = { condition: "AND", rules: [group], valid: true }
      return js(api).queryProject!("ws", "proj", [{ source: "metrics", query: group }])
    },
    tag: "InvalidArgument",
    message: "predicates",
    seen: nothingSent
  },
  {
    name: "APIExperiment.getMetricsSummary(5)",
    handle: everything,
    call: async (api) => js((await api.getExperimentByKey(A)) as unknown as API).getMetricsSummary!(5),
    tag: "InvalidArgument",
    message: 'Invalid name "5": must be a summary name (a string), not the number 5.'
  },
  {
    name: "APIExperiment.getAsset(undefined)",
    handle: everything,
    call: async (api) => js((await api.getExperimentByKey(A)) as unknown as API).getAsset!(undefined),
    tag: "InvalidArgument",
    message: "assetId"
  },
  {
    name: 'APIExperiment.getName({ maxLength: "3" })',
    handle: everything,
    call: async (api) => js((await api.getExperimentByKey(A)) as unknown as API).getName!({ maxLength: "3" }),
    tag: "InvalidArgument",
    message: 'Invalid options.maxLength "3": must be a number, not a string.'
  },
  {
    name: "get(42)",
    handle: everything,
    call: (api) => js(api).get!(42),
    tag: "InvalidArgument",
    message: 'Invalid workspace "42"',
    seen: nothingSent
  },
  badOptions(
    "baseUrl: 42",
    { baseUrl: 42 as unknown as string },
    "Configuration problem with baseUrl: must be a string, not the number 42."
  ),
  badOptions("panel: 7", { panel: 7 as unknown as false }, "panel"),
  badOptions(
    "chartChunkSize: 0 (would loop forever)",
    { chartChunkSize: 0 },
    "chartChunkSize: must be a positive integer"
  ),
  badOptions("http: 'fast'", { http: "fast" as unknown as APIOptions["http"] }, "Configuration problem with http"),
  {
    name: "deeply nested JSON where a string is expected",
    handle: () => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: `{"workspaceNames":[${"[".repeat(20_000)}${"]".repeat(20_000)}]}`
    }),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: "field workspaceNames[0]"
  }
])

describe("kind 7: the CometApi service checks its arguments too", () => {
  it.live("wrong runtime types fail in the typed error channel, never as a defect, before any request", () =>
    Effect.gen(function* () {
      const server = yield* hostileServer(everything)
      const capture = new Capture()
      const layer = CometApiLayer.layer().pipe(
        Layer.provideMerge(Http.layer({ apiKey: SECRET, baseUrl: server.origin, maxRetries: 0 })),
        Layer.provide(adapters["node:http"](capture)),
        Layer.provideMerge(Panel.layerUnavailable("no panel"))
      )
      const api = yield* Effect.provide(CometApi, layer)
      const u = api as unknown as Record<string, (...args: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown>>
      const calls: ReadonlyArray<readonly [string, ReadonlyArray<unknown>, string]> = [
        ["getMetricsForChart", [[A], "loss"], "metrics"],
        ["getExperimentTags", [null], "experimentKey"],
        ["query", ["ws", "proj", 123], "query"],
        ["getExperimentByName", [null, { workspace: "ws", projectName: "proj" }], "experimentName"],
        ["getExperimentMetricsForChart", [A, "loss"], "metrics"],
        ["getProject", [1, 2, 3], "workspace"],
        ["getExperimentSummary", [A, "metrics", "loss"], "kind"],
        ["getPanelMetricsNames", ["yes"], "options"]
      ]
      for (const [method, args, argument] of calls) {
        const exit = yield* Effect.exit(Effect.suspend(() => u[method]!(...args)))
        assert.isTrue(Exit.isFailure(exit), method)
        if (Exit.isFailure(exit)) {
          const failure = Cause.failureOption(exit.cause)
          assert.isTrue(Option.isSome(failure), `${method}: not a typed failure: ${Cause.pretty(exit.cause)}`)
          const e = Option.getOrThrow(failure) as Error & { _tag: string; argument: string }
          assert.strictEqual(e._tag, "InvalidArgument", method)
          assert.strictEqual(e.argument, argument, method)
        }
      }
      const streamExit = yield* Effect.exit(
        Stream.runDrain(u.streamExperimentAsset!(A, 7) as unknown as Stream.Stream<Uint8Array, unknown>)
      )
      assert.isTrue(Exit.isFailure(streamExit))
      if (Exit.isFailure(streamExit)) {
        const e = Option.getOrThrow(Cause.failureOption(streamExit.cause)) as { _tag: string; argument: string }
        assert.strictEqual(e._tag, "InvalidArgument")
        assert.strictEqual(e.argument, "assetId")
      }
      assert.deepStrictEqual(server.seen, [])
    }).pipe(Effect.scoped)
  )
})

// ---------------------------------------------------------------- kind 9
const u4 = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")
const pct = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`).join("")

/** An error body quoting the request's Authorization header, transformed. */
const echo =
  (status: number, transform: (key: string) => string, contentType = "application/json"): Handler =>
  (s) => {
    const key = String(s.headers.authorization ?? "")
    const quoted = transform(key)
    return {
      status,
      headers: { "content-type": contentType },
      body:
        contentType === "application/json"
          ? `{"code":${status},"msg":"invalid key ${quoted}","sdk_error_code":90212}`
          : `<html><body>bad key ${quoted}</body></html>`
    }
  }

/** A 200 "JSON" answer whose raw text is built from the request's Authorization header. */
const echoRaw =
  (body: (key: string) => string): Handler =>
  (s) => ({
    status: 200,
    headers: { "content-type": "application/json" },
    body: body(String(s.headers.authorization))
  })

runCases("kind 9: the key in any form, in no error, log, span or URL", [
  {
    name: "401 whose message has the key in hex",
    handle: echo(401, (k) => Buffer.from(k).toString("hex")),
    call: (api) => api.getWorkspaces(),
    tag: "Unauthorized",
    message: 'Comet says: "invalid key <redacted>"'
  },
  {
    name: "400 whose message has the key case-folded",
    handle: echo(400, (k) => k.toUpperCase()),
    call: (api) => api.getWorkspaces(),
    tag: "BadRequest",
    message: "invalid key <redacted>"
  },
  {
    name: "a 200 of the wrong shape quoting the key JSON-escaped (\\u0063…)",
    handle: echoRaw((k) => `{"status":"ok","key":"${u4(k)}"}`),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: "<redacted>"
  },
  {
    name: "a 200 of the wrong shape quoting the key with its first character escaped only",
    handle: echoRaw((k) => `{"status":"ok","key":"${u4(k.slice(0, 1))}${k.slice(1)}"}`),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: '"key":"<redacted>"'
  },
  {
    name: "500 whose message has the key percent-encoded",
    handle: echo(500, pct),
    call: (api) => api.getWorkspaces(),
    tag: "ServerError",
    message: "invalid key <redacted>"
  },
  {
    name: "a 200 error JSON with the key in base64",
    handle: echo(200, (k) => Buffer.from(`Authorization: ${k}`).toString("base64")),
    call: (api) => api.getWorkspaces(),
    tag: "BadRequest",
    message: "<redacted>"
  },
  {
    name: "a 200 HTML page with the key in hex and lowercase",
    handle: echo(200, (k) => `${Buffer.from(k).toString("hex")} ${k.toLowerCase()}`, "text/html"),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: "<redacted> <redacted>"
  },
  {
    name: "a 200 body that is not JSON, with the key percent-encoded twice",
    handle: echoRaw((k) => `{ ${pct(k).replace(/%/g, "%25")}`),
    call: (api) => api.getWorkspaces(),
    tag: "DecodeError",
    message: "not JSON"
  },
  {
    name: "a redirect to a host built from the key (case-folded by URL)",
    handle: (s) => ({
      status: 302,
      headers: { location: `https://${String(s.headers.authorization)}.evil.example/x` }
    }),
    call: (api) => api.getWorkspaces(),
    tag: "TransportError",
    message: "redirecting to https://<redacted>.evil.example, which is not followed"
  },
  {
    name: "a redirect whose host is the key percent-encoded",
    handle: (s) => ({
      status: 307,
      headers: { location: `https://${pct(String(s.headers.authorization))}.evil.example/` }
    }),
    call: (api) => api.getWorkspaces(),
    tag: "TransportError",
    message: "<redacted>"
  }
])

describe("kind 9: a key with an invisible character is never sent", () => {
  for (const [name, pasted] of [
    ["a byte order mark before it", `\ufeff${SECRET}`],
    ["a zero-width space inside it", `${SECRET.slice(0, 7)}\u200b${SECRET.slice(7)}`],
    ["a no-break space after it", `${SECRET}\u00a0`],
    ["a line break inside it", `${SECRET.slice(0, 7)}\n${SECRET.slice(7)}`],
    ["a non-ASCII letter inside it", `${SECRET.slice(0, 7)}é${SECRET.slice(7)}`]
  ] as const) {
    for (const adapter of Object.keys(adapters) as ReadonlyArray<keyof typeof adapters>) {
      it.live(`${adapter}: ${name}: ConfigurationError, not a retried network error; the server sees nothing`, () =>
        Effect.gen(function* () {
          const server = yield* hostileServer(everything)
          const capture = new Capture()
          const api = hostileApi(server.origin, adapter, capture, { apiKey: pasted, maxRetries: 3 })
          const e = yield* Effect.promise(() => rejection(api.getWorkspaces()).finally(() => api.close()))
          capture.error(e)
          assert.strictEqual(e._tag, "ConfigurationError")
          assert.strictEqual(e.setting, "apiKey")
          assert.deepStrictEqual(server.seen, [])
          assert.deepStrictEqual(capture.requests, [])
          assert.deepStrictEqual(capture.leaks(SECRET, []), [])
          assert.isTrue(isCometError(e))
        }).pipe(Effect.scoped)
      )
    }
  }

  it.live("CometHttp.layer and CometHttp.make over a hand-built configuration refuse it too", () =>
    Effect.gen(function* () {
      const bad = `${SECRET}\u200b`
      const viaLayer = yield* Effect.exit(
        Effect.provide(Http.CometHttp, Http.layer({ apiKey: bad, baseUrl: "http://127.0.0.1:1" }))
      )
      const resolved = yield* CometConfig.resolve({ apiKey: SECRET, sources: CometConfig.staticSources({}) })
      const viaMake = yield* Effect.exit(Effect.scoped(Http.make({ ...resolved, apiKey: Redacted.make(bad) })))
      for (const exit of [Exit.asVoid(viaLayer), Exit.asVoid(viaMake)]) {
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) {
          const e = Option.getOrThrow(Cause.failureOption(exit.cause)) as Error & { _tag: string }
          assert.strictEqual(e._tag, "ConfigurationError")
          assert.include(e.message, "zero-width space (U+200B)")
          assert.notInclude(e.message, SECRET)
        }
      }
    }).pipe(Effect.provide(adapters.fetch(new Capture())))
  )
})
