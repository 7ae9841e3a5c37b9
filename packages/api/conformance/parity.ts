/**
 * comet-ts's side of the parity check of `pnpm test:conformance` (issue 14): the questions
 * packages/emulator/conformance/parity.py asks comet_ml, asked of comet-ts through the Promise
 * facade `API`, against the same emulator. packages/emulator/conformance/parity-rules.mjs compares
 * the two answers. (It lives in the api package because it imports it; the emulator does not.)
 *
 * Each answer is { value } or { error: { tag, message, …fields } }; NaN and ±Infinity are written
 * as the strings "NaN", "Infinity", "-Infinity" (as parity.py writes Python's).
 *
 * Usage: node --import tsx parity.ts --url URL --api-key KEY --facts FACTS.json --out ANSWERS.json
 */
import { readFileSync, writeFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { API, type APIExperiment } from "@comet-ts/api"
import { compile, parse, pythonRegex } from "@comet-ts/query"
import { Either } from "effect"
import type { ParityFacts } from "../../emulator/conformance/parity-dataset.js"

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    "api-key": { type: "string" },
    facts: { type: "string" },
    out: { type: "string" }
  }
})
if (values.url === undefined || values.facts === undefined || values.out === undefined) {
  console.error("usage: parity.ts --url URL --api-key KEY --facts FACTS.json --out ANSWERS.json")
  process.exit(2)
}

const F: ParityFacts = JSON.parse(readFileSync(values.facts, "utf8"))

const plain = (v: unknown): unknown =>
  JSON.parse(
    JSON.stringify(v, (_k, x) =>
      typeof x === "number" && !Number.isFinite(x) ? (Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity") : x
    )
  )

type Answer = { readonly value: unknown } | { readonly error: Record<string, unknown> }

const answer = async (fn: () => Promise<unknown>): Promise<Answer> => {
  try {
    return { value: plain(await fn()) }
  } catch (e) {
    if (e !== null && typeof e === "object" && "_tag" in e) {
      const { _tag, ...fields } = e as Record<string, unknown>
      return { error: { tag: _tag, message: (e as unknown as Error).message, ...(plain(fields) as object) } }
    }
    return { error: { tag: "Defect", message: e instanceof Error ? e.message : String(e) } }
  }
}

const keysOf = (es: ReadonlyArray<APIExperiment>) => es.map((e) => e.key).sort()

const api = new API({ apiKey: values["api-key"] ?? "local-dev-key", baseUrl: values.url, panel: false })
const ws = F.workspace
const proj = F.project
const K = F.keys
const A: Record<string, Answer> = {}

// Names are not keys.
A["names: get('ws/proj/name') with two runs of that name"] = await answer(
  async () => (await api.get(`${ws}/${proj}/baseline`)).key
)
A["names: get_experiment(ws, proj, name) with two runs of that name"] = await answer(
  async () => (await api.getExperiment(ws, proj, "baseline")).key
)
A["names: a key is unambiguous"] = await answer(async () => (await api.get(`${ws}/${proj}/${K.b1}`)).key)
A["names: a unique name"] = await answer(async () => (await api.getExperiment(ws, proj, "keen_lemur")).key)

// A path names one place.
A["path: key under a project that does not exist"] = await answer(async () => (await api.get(`${ws}/nope/${K.b1}`)).key)
A["path: key under another project"] = await answer(async () => (await api.get(`${ws}/${F.otherProject}/${K.b1}`)).key)

// Summaries by name.
const b1 = await api.getExperimentByKey(K.b1 as string)
A["summary: get_others_summary(name)"] = await answer(() => b1.getOthersSummary("dataset"))
A["summary: get_metrics_summary(name)"] = await answer(() => b1.getMetricsSummary("loss"))
A["summary: get_parameters_summary(name)"] = await answer(() => b1.getParametersSummary("opt"))
A["summary: get_others_summary(unknown name)"] = await answer(() => b1.getOthersSummary("nope"))
A["summary: get_metrics_summary(unknown name)"] = await answer(() => b1.getMetricsSummary("nope"))
A["summary: get_parameters_summary(unknown name)"] = await answer(() => b1.getParametersSummary("nope"))

// getMetrics() without a name: one request, the server's order.
const k3 = await api.getExperimentByKey(K.k3 as string)
const counted = async (fn: () => Promise<unknown>) => {
  const before = await api.getPanelRequestCount()
  const value = await fn()
  return { value, requests: (await api.getPanelRequestCount()) - before }
}
A["get_metrics(): every metric, server order (NaN, ±Infinity, a gap)"] = await answer(() =>
  counted(() => k3.getMetrics())
)
A["get_metrics(): every metric, server order"] = await answer(() => counted(() => b1.getMetrics()))

// Patterns are Python regular expressions.
for (const [label, pattern] of [
  ["named group", "(?P<start>kee)"],
  ["inline flag", "(?i)KEEN"],
  ["re.match anchors at the start", "een"],
  ["named backreference", "p(?P<n>e)(?P=n)k"],
  ["invalid in Python", "(?P<x"],
  ["conditional group", "(a)(?(1)b|c)"]
] as const) {
  A[`pattern: ${label} ${pattern}`] = await answer(async () => keysOf(await api.getExperiments(ws, proj, pattern)))
}
// The translator alone, for the report: what the patterns became.
for (const pattern of ["(?P<start>kee)", "(?i)KEEN"]) {
  const r = pythonRegex(pattern)
  if (Either.isRight(r)) console.log(`parity: ${pattern} → /${r.right.source}/${r.right.flags}`)
}

// Ordering on a text column.
A['text order: Parameter("pct") > 55'] = await answer(async () =>
  keysOf(await api.query(ws, proj, 'Parameter("pct") > 55'))
)
A['text order: Parameter("pct") > "55"'] = await answer(async () =>
  keysOf(await api.query(ws, proj, 'Parameter("pct") > "55"'))
)

// Query syntax comet_ml accepts (the same Python text).
const queries: Record<string, string> = {
  '~Tag("x")': '~Tag("x")',
  'Tag("x") & ~Tag("y")': 'Tag("x") & ~Tag("y")',
  "datetime(…, tzinfo=timezone.utc)":
    'Metadata("start_server_timestamp") < datetime(2024, 1, 10, 14, 30, tzinfo=timezone.utc)',
  "datetime(…, tzinfo=UTC+2)":
    'Metadata("start_server_timestamp") < datetime(2024, 1, 10, 15, 30, tzinfo=timezone(timedelta(hours=2)))',
  "~A": '~(Parameter("opt") == "adam")',
  "~B": '~(Metric("loss") < 0.5)',
  "~(A & B)": '~((Parameter("opt") == "adam") & (Metric("loss") < 0.5))',
  "~(A | B)": '~((Parameter("opt") == "adam") | (Metric("loss") < 0.5))'
}
for (const [label, text] of Object.entries(queries)) {
  A[`query: ${label}`] = await answer(async () => keysOf(await api.query(ws, proj, text)))
}
const columns = await api.getProjectColumns(ws, proj)
for (const label of ['~Tag("x")', "datetime(…, tzinfo=UTC+2)", "~(A & B)"]) {
  A[`predicates: ${label}`] = await answer(async () => {
    const q = parse(queries[label] as string)
    if (Either.isLeft(q)) throw q.left
    const p = compile(q.right, columns)
    if (Either.isLeft(p)) throw p.left
    return p.right
  })
}

// Small gaps.
for (const label of ["b1", "b2", "k1"]) {
  A[`get_state(): ${F.states[label]} run`] = await answer(async () =>
    (await api.getExperimentByKey(K[label] as string)).getState()
  )
}
A["model asset list of an unknown model"] = await answer(async () =>
  (await api.getExperimentByKey(F.modelKey ?? "")).getModelAssetList("no-such-model")
)
A["chart: NaN, ±Infinity and a gap"] = await answer(async () => {
  const chart = await api.getMetricsForChart([K.k3 as string], ["loss", "acc"], undefined, {
    independentMetrics: true,
    fetchFull: true
  })
  const metrics = chart[K.k3 as string]?.metrics ?? []
  return Object.fromEntries(metrics.map((m) => [m.metricName, m.values] as const))
})

await api.close()
writeFileSync(values.out, JSON.stringify(A, null, 1))
