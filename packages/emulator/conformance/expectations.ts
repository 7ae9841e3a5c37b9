/**
 * What Comet's Python SDK must return, computed straight from the generated dataset (not from
 * the emulator's responses): the conformance check compares the SDK's results with this file.
 *
 * Every expectation is stated from the dataset, not by restating the emulator's wire code:
 * where the wire answer is dataset fields under their own names (an experiment's metadata, its
 * git metadata, system details and assets), it says so ({@link fields}); where the emulator
 * computes something (metric summaries, points and their string values, chart sampling and step
 * alignment, column types, query records, asset sizes and hashes), it is computed here again,
 * independently, on purpose: the two must agree. Two things are the emulator's own: the fixed
 * metadata columns (a table recorded from the real server, which a copy could only drift from)
 * and a parameter's or other's summary (its one value as max, min and current: the SDK reads
 * `valueCurrent` by name in `get_others_summary(name)`, so a misnamed field still fails here,
 * and the api integration tests hold each value against the dataset).
 *
 * Usage: node --import tsx expectations.ts --seed N --out FILE
 */
import { createHash } from "node:crypto"
import { writeFileSync } from "node:fs"
import { parseArgs } from "node:util"
import type { AssetData, Dataset, ExperimentData, LoggedValue, MetricSeries } from "../src/Dataset.js"
import { GENERATED_KEYS, generate } from "../src/Generator.js"
import { contentBytes, contentSize } from "../src/internal/content.js"
import { type Located, loggedSummary, METADATA_COLUMNS } from "../src/internal/store.js"
import { materialize } from "../src/Series.js"

const { values } = parseArgs({ options: { seed: { type: "string" }, out: { type: "string" } } })
const seed = Number(values.seed ?? "1")
const out = values.out ?? "expected.json"

const dataset: Dataset = generate({ size: "small", seed })
const mainUser = dataset.users[0]
if (mainUser === undefined) throw new Error("the generated dataset has no users")
const visible = new Set(mainUser.workspaces)

const str = (v: LoggedValue["value"]): string | null =>
  v === null ? null : typeof v === "string" ? v : typeof v === "boolean" ? (v ? "true" : "false") : String(v)
const orNull = (v: number) => (Number.isNaN(v) ? null : v)
const duration = (e: ExperimentData) =>
  e.durationMillis ?? (e.endTimeMillis === null ? null : e.endTimeMillis - e.startTimeMillis)

/** The `keys` of `o` under their own names (`null` for each when there is no `o`). */
const fields = <T extends object, K extends keyof T & string>(o: T | null, keys: ReadonlyArray<K>) =>
  Object.fromEntries(keys.map((k) => [k, o === null ? null : o[k]]))

/** An experiment's entry in the experiment list: these dataset fields, and where it lives. */
const listEntry = (l: Located) => ({
  ...fields(l.experiment, [
    "experimentKey",
    "experimentName",
    "optimizationId",
    "filePath",
    "fileName",
    "startTimeMillis",
    "endTimeMillis",
    "archived"
  ]),
  durationMillis: duration(l.experiment),
  projectId: l.project.projectId,
  projectName: l.project.projectName,
  workspaceName: l.workspace.name
})

/** `experiment/metadata`: the list entry and four more dataset fields (the emulator never throttles). */
const metadata = (l: Located) => ({
  ...listEntry(l),
  ...fields(l.experiment, ["userName", "running", "hasCrashed", "throttle"]),
  throttleMessage: null,
  throttleReasons: null
})

/** Min, max and last point of a series, computed here independently of the server. */
const metricSummary = (s: MetricSeries) => {
  const p = materialize(s)
  let lo = -1
  let hi = -1
  for (let i = 0; i < p.length; i++) {
    const v = p.values[i] as number
    if (lo < 0 || v < (p.values[lo] as number)) lo = i
    if (hi < 0 || v > (p.values[hi] as number)) hi = i
  }
  const last = p.length - 1
  const ctx = (i: number) =>
    typeof p.contexts === "string" || p.contexts === null ? p.contexts : (p.contexts[i] ?? null)
  return {
    name: s.name,
    valueMax: String(p.values[hi]),
    valueMin: String(p.values[lo]),
    valueCurrent: String(p.values[last]),
    timestampMax: p.timestamps[hi],
    timestampMin: p.timestamps[lo],
    timestampCurrent: p.timestamps[last],
    runContextMax: ctx(hi),
    runContextMin: ctx(lo),
    runContextCurrent: ctx(last),
    stepMax: orNull(p.steps[hi] as number),
    stepMin: orNull(p.steps[lo] as number),
    stepCurrent: orNull(p.steps[last] as number),
    editable: false
  }
}

const metricPoints = (s: MetricSeries) => {
  const p = materialize(s)
  return Array.from({ length: p.length }, (_, i) => ({
    metricName: s.name,
    metricValue: String(p.values[i]),
    timestamp: p.timestamps[i],
    step: orNull(p.steps[i] as number),
    epoch: orNull(p.epochs[i] as number),
    runContext: typeof p.contexts === "string" || p.contexts === null ? p.contexts : (p.contexts[i] ?? null),
    offset: i
  }))
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

/** An asset list entry (these dataset fields, its size and type flags), with what the check reads back. */
const asset = (a: AssetData) => ({
  ...fields(a, ["assetId", "fileName", "runContext", "step", "remote", "createdAt", "dir", "type", "metadata", "tags"]),
  fileSize: contentSize(a.content),
  image: a.type === "image",
  audio: a.type === "audio",
  video: a.type === "video",
  sha256: a.remote ? null : sha(contentBytes(a.content)),
  json: "json" in a.content ? a.content.json : null,
  text: "text" in a.content ? a.content.text : null
})

/**
 * The system details as the dataset holds them, plus the key: the generator fills every field,
 * so a field the emulator drops, renames or takes from elsewhere fails the check (the SDK's
 * getters, `get_python_version()` and the rest, each read one).
 */
const systemDetails = (e: ExperimentData) => ({ experimentKey: e.experimentKey, ...e.systemDetails })

const experimentDetail = (l: Located) => {
  const { experiment: e, project: p } = l
  return {
    key: e.experimentKey,
    workspace: l.workspace.name,
    project: p.projectName,
    projectId: p.projectId,
    metadata: metadata(l),
    listEntry: listEntry(l),
    tags: e.tags,
    code: e.code,
    output: e.output,
    html: e.html,
    graph: e.graph,
    systemDetails: systemDetails(e),
    git: { experimentKey: e.experimentKey, ...fields(e.git, ["user", "root", "branch", "parent", "origin"]) },
    gitPatchSha256: e.git?.patch ? sha(contentBytes(e.git.patch)) : null,
    params: e.params.map((v) => loggedSummary(e, v)),
    others: e.others.map((v) => loggedSummary(e, v)),
    metricsSummary: e.metrics.map(metricSummary),
    metrics: Object.fromEntries(e.metrics.map((s) => [s.name, metricPoints(s)])),
    metricNames: e.metrics.map((s) => s.name),
    assets: e.assets.map(asset),
    models: e.models.map((m) => ({
      experimentModelId: m.experimentModelId,
      experimentKey: e.experimentKey,
      modelName: m.modelName,
      registryRecords: m.registryRecords,
      assets: m.assets.map(asset),
      files: Object.fromEntries(m.assets.map((a) => [a.fileName, sha(contentBytes(a.content))]))
    }))
  }
}

/** The points the chart returns for one metric, computed independently (evenly spaced + ends). */
const sample = (n: number, count = 500): Array<number> => {
  if (n <= count) return Array.from({ length: n }, (_, i) => i)
  const idx: Array<number> = []
  for (let k = 0; k < count; k++) {
    const i = Math.round((k * (n - 1)) / (count - 1))
    if (idx[idx.length - 1] !== i) idx.push(i)
  }
  return idx
}

const chartFor = (
  e: ExperimentData,
  metrics: ReadonlyArray<string>,
  params: ReadonlyArray<string> | null,
  independent: boolean,
  full: boolean
) => {
  const series = metrics.flatMap((m) => e.metrics.filter((s) => s.name === m).slice(0, 1))
  const pts = series.map((s) => ({ name: s.name, p: materialize(s) }))
  const pick = (name: string, p: ReturnType<typeof materialize>, idx: ReadonlyArray<number>) => ({
    metricName: name,
    values: idx.map((i) => p.values[i] as number),
    steps: idx.map((i) => orNull(p.steps[i] as number)),
    epochs: idx.map((i) => orNull(p.epochs[i] as number)),
    timestamps: idx.map((i) => p.timestamps[i] as number),
    durations: idx.map((i) => (p.timestamps[i] as number) - e.startTimeMillis)
  })
  let steps: Array<number> | null = null
  let chartMetrics: Array<ReturnType<typeof pick>>
  if (independent) {
    chartMetrics = pts.map(({ name, p }) =>
      pick(name, p, full ? Array.from({ length: p.length }, (_, i) => i) : sample(p.length))
    )
  } else {
    const stepSets = pts.map(({ p }) => new Set(Array.from(p.steps)))
    const shared = [...(stepSets[0] ?? new Set<number>())]
      .filter((s) => stepSets.every((set) => set.has(s)))
      .sort((a, b) => a - b)
    steps = full ? shared : sample(shared.length).map((k) => shared[k] as number)
    const kept = steps
    chartMetrics = pts.map(({ name, p }) =>
      pick(
        name,
        p,
        kept.map((s) => Array.from(p.steps).indexOf(s))
      )
    )
  }
  return {
    experimentKey: e.experimentKey,
    experiment_key: e.experimentKey,
    experimentName: e.experimentName,
    steps,
    epochs: null,
    metrics: chartMetrics,
    params:
      params === null || params.length === 0
        ? null
        : Object.fromEntries(
            params.flatMap((n) =>
              e.params
                .filter((p) => p.name === n)
                .slice(0, 1)
                .map((p) => [n, str(p.value)])
            )
          )
  }
}

const projects: Record<string, unknown> = {}
const notes: Record<string, string> = {}
const experimentsByProject: Record<
  string,
  { active: Array<string>; archived: Array<string>; byName: Record<string, string> }
> = {}
const records: Record<string, Array<unknown>> = {}
const columns: Record<string, Array<[string, string, string]>> = {}
const details: Record<string, unknown> = {}

let richKey: string | null = null
let modelKey: string | null = null
let plainKey: string | null = null
let archivedKey: string | null = null

for (const ws of dataset.workspaces) {
  if (!visible.has(ws.name)) continue
  projects[ws.name] = ws.projects.map((p) => ({
    projectId: p.projectId,
    projectName: p.projectName,
    ownerUserName: p.ownerUserName,
    projectDescription: p.projectDescription,
    workspaceName: ws.name,
    numberOfExperiments: p.experiments.filter((e) => !e.archived).length,
    lastUpdated: p.lastUpdated,
    public: p.public
  }))
  for (const p of ws.projects) {
    const path = `${ws.name}/${p.projectName}`
    notes[path] = p.notes
    experimentsByProject[path] = {
      active: p.experiments.filter((e) => !e.archived).map((e) => e.experimentKey),
      archived: p.experiments.filter((e) => e.archived).map((e) => e.experimentKey),
      byName: Object.fromEntries(
        p.experiments
          .filter((e) => !e.archived && e.experimentName !== null)
          .map((e) => [e.experimentName, e.experimentKey])
      )
    }
    const cols: Array<[string, string, string]> = METADATA_COLUMNS.map(([name, type, source]) => [name, type, source])
    const kind = (vals: Array<string | number | boolean | null>) => {
      const present = vals.filter((v) => v !== null)
      if (
        present.length > 0 &&
        present.every(
          (v) => typeof v === "number" || (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)))
        )
      )
        return "double"
      if (
        present.length > 0 &&
        present.every((v) => typeof v === "boolean" || (typeof v === "string" && /^(true|false)$/i.test(v)))
      )
        return "boolean"
      return "string"
    }
    const collect = (pick: (e: ExperimentData) => ReadonlyArray<LoggedValue>) => {
      const m = new Map<string, Array<string | null>>()
      for (const e of p.experiments) for (const v of pick(e)) m.set(v.name, [...(m.get(v.name) ?? []), str(v.value)])
      return m
    }
    const have = new Set(cols.map((c) => `${c[0]}--${c[2]}`))
    const add = (name: string, type: string, source: string) => {
      if (!have.has(`${name}--${source}`)) cols.push([name, type, source])
      have.add(`${name}--${source}`)
    }
    for (const n of new Set(p.experiments.flatMap((e) => e.metrics.map((s) => s.name)))) add(n, "double", "metrics")
    for (const [n, vs] of collect((e) => e.params)) add(n, kind(vs), "params")
    for (const [n, vs] of collect((e) => e.others)) add(n, kind(vs), "log_other")
    for (const t of new Set(p.experiments.flatMap((e) => e.tags))) add(t, "string", "tag")
    const env = new Map<string, Array<string | number | boolean | null>>()
    for (const e of p.experiments)
      for (const [k, v] of Object.entries(e.environment)) env.set(k, [...(env.get(k) ?? []), v])
    for (const [n, vs] of env) add(n, kind(vs), "env_details")
    columns[path] = cols
    records[path] = p.experiments.map((e) => ({
      key: e.experimentKey,
      archived: e.archived,
      name: e.experimentName,
      metrics: Object.fromEntries(
        e.metrics.map((s) => {
          const pts = materialize(s)
          return [s.name, pts.length === 0 ? null : pts.values[pts.length - 1]]
        })
      ),
      params: Object.fromEntries(e.params.map((v) => [v.name, str(v.value)])),
      others: Object.fromEntries(e.others.map((v) => [v.name, str(v.value)])),
      tags: e.tags,
      env: e.environment,
      start: e.startTimeMillis,
      end: e.endTimeMillis,
      durationMillis: duration(e),
      user: e.userName,
      fileName: e.fileName,
      running: e.running,
      hasImages: e.assets.some((a) => a.type === "image"),
      hasHtml: e.html !== null
    }))
    for (const e of p.experiments) {
      if (richKey === null && !e.archived && e.assets.some((a) => "synthetic" in a.content) && e.models.length > 0)
        richKey = e.experimentKey
      if (
        modelKey === null &&
        !e.archived &&
        e.experimentKey !== richKey &&
        e.models.some((m) => m.registryRecords.length > 0)
      )
        modelKey = e.experimentKey
      if (plainKey === null && !e.archived && e.html === null && e.git?.patch === null && e.experimentName !== null)
        plainKey = e.experimentKey
      if (archivedKey === null && e.archived) archivedKey = e.experimentKey
    }
  }
}

const locate = (key: string | null) => {
  for (const ws of dataset.workspaces)
    for (const p of ws.projects)
      for (const e of p.experiments) if (e.experimentKey === key) return { experiment: e, project: p, workspace: ws }
  throw new Error(`experiment ${key} not found`)
}
for (const key of [richKey, modelKey, plainKey, archivedKey]) {
  const l = locate(key)
  details[l.experiment.experimentKey] = experimentDetail(l)
}

// Charts over a few experiments of the sweep project.
const sweep = dataset.workspaces
  .find((w) => w.name === "local-dev")
  ?.projects.find((p) => p.projectName === "mnist-sweep")
if (sweep === undefined) throw new Error("no sweep project")
const chartExperiments = sweep.experiments.filter((e) => !e.archived).slice(0, 4)
const chartCases = [
  { metrics: ["loss", "accuracy"], params: ["learning_rate", "batch_size"], independent: true, full: false },
  { metrics: ["loss", "val_loss"], params: null, independent: true, full: true },
  { metrics: ["loss", "val_accuracy"], params: ["optimizer"], independent: false, full: false },
  { metrics: ["sys.cpu.percent.01", "no_such_metric"], params: null, independent: true, full: false }
].map((c) => ({
  ...c,
  keys: chartExperiments.map((e) => e.experimentKey),
  expected: Object.fromEntries(
    chartExperiments.map((e) => [e.experimentKey, chartFor(e, c.metrics, c.params, c.independent, c.full)])
  )
}))

const hidden = dataset.workspaces.find((w) => !visible.has(w.name))
writeFileSync(
  out,
  JSON.stringify({
    seed,
    apiKey: mainUser.apiKey,
    otherKey: GENERATED_KEYS.other,
    account: { userName: mainUser.userName, defaultWorkspaceName: mainUser.defaultWorkspaceName },
    workspaces: dataset.workspaces.map((w) => w.name).filter((n) => visible.has(n)),
    hiddenWorkspace: hidden?.name ?? null,
    hiddenProject: hidden?.projects[0]?.projectName ?? null,
    hiddenExperiment: hidden?.projects[0]?.experiments[0]?.experimentKey ?? null,
    projects,
    notes,
    columns,
    experiments: experimentsByProject,
    records,
    details,
    keys: { rich: richKey, model: modelKey, plain: plainKey, archived: archivedKey },
    charts: chartCases
  })
)
console.log(`wrote ${out}`)
