/**
 * What Comet's Python SDK must return, computed straight from the generated dataset (not from
 * the emulator's responses): the conformance check compares the SDK's results with this file.
 *
 * Usage: node --import tsx expectations.ts --seed N --out FILE
 */
import { createHash } from "node:crypto"
import { writeFileSync } from "node:fs"
import { parseArgs } from "node:util"
import type { AssetData, Dataset, ExperimentData, LoggedValue, MetricSeries, ProjectData } from "../src/Dataset.js"
import { GENERATED_KEYS, generate } from "../src/Generator.js"
import { contentBytes, contentSize } from "../src/internal/content.js"
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

const metadata = (e: ExperimentData, p: ProjectData, ws: string) => ({
  experimentKey: e.experimentKey,
  experimentName: e.experimentName,
  optimizationId: e.optimizationId,
  projectId: p.projectId,
  projectName: p.projectName,
  workspaceName: ws,
  filePath: e.filePath,
  fileName: e.fileName,
  durationMillis: e.durationMillis ?? (e.endTimeMillis === null ? null : e.endTimeMillis - e.startTimeMillis),
  startTimeMillis: e.startTimeMillis,
  endTimeMillis: e.endTimeMillis,
  archived: e.archived
})

const fullMetadata = (e: ExperimentData, p: ProjectData, ws: string) => ({
  ...metadata(e, p, ws),
  userName: e.userName,
  running: e.running,
  hasCrashed: e.hasCrashed,
  throttle: e.throttle,
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

const loggedSummary = (e: ExperimentData, v: LoggedValue) => {
  const value = str(v.value)
  const ts = v.timestamp ?? e.startTimeMillis
  return {
    name: v.name,
    valueMax: value,
    valueMin: value,
    valueCurrent: value,
    timestampMax: ts,
    timestampMin: ts,
    timestampCurrent: ts,
    runContextMax: null,
    runContextMin: null,
    runContextCurrent: null,
    stepMax: v.step,
    stepMin: v.step,
    stepCurrent: v.step,
    editable: v.editable
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

const asset = (a: AssetData) => ({
  assetId: a.assetId,
  fileName: a.fileName,
  fileSize: contentSize(a.content),
  runContext: a.runContext,
  step: a.step,
  remote: a.remote,
  createdAt: a.createdAt,
  dir: a.dir,
  type: a.type,
  image: a.type === "image",
  audio: a.type === "audio",
  video: a.type === "video",
  metadata: a.metadata,
  tags: a.tags,
  sha256: a.remote ? null : sha(contentBytes(a.content)),
  json: "json" in a.content ? a.content.json : null,
  text: "text" in a.content ? a.content.text : null
})

const systemDetails = (e: ExperimentData) => {
  const s = e.systemDetails
  return {
    experimentKey: e.experimentKey,
    user: s.user ?? null,
    pythonVersion: s.pythonVersion ?? null,
    pythonVersionVerbose: s.pythonVersionVerbose ?? null,
    pid: s.pid ?? null,
    osType: s.osType ?? null,
    os: s.os ?? null,
    osRelease: s.osRelease ?? null,
    machine: s.machine ?? null,
    processor: s.processor ?? null,
    ip: s.ip ?? null,
    hostname: s.hostname ?? null,
    totalRam: s.totalRam ?? null,
    maxTotalMemory: s.maxTotalMemory ?? null,
    gpuStaticInfoList: s.gpuStaticInfoList ?? [],
    logAdditionalSystemInfoList: s.logAdditionalSystemInfoList ?? [],
    systemMetricNames: s.systemMetricNames ?? [],
    networkInterfaceIps: s.networkInterfaceIps ?? [],
    command: s.command ?? [],
    executable: s.executable ?? null,
    osPackages: s.osPackages ?? [],
    installedPackages: s.installedPackages ?? []
  }
}

const experimentDetail = (e: ExperimentData, p: ProjectData, ws: string) => ({
  key: e.experimentKey,
  workspace: ws,
  project: p.projectName,
  projectId: p.projectId,
  metadata: fullMetadata(e, p, ws),
  listEntry: metadata(e, p, ws),
  tags: e.tags,
  code: e.code,
  output: e.output,
  html: e.html,
  graph: e.graph,
  systemDetails: systemDetails(e),
  git: {
    experimentKey: e.experimentKey,
    user: e.git?.user ?? null,
    root: e.git?.root ?? null,
    branch: e.git?.branch ?? null,
    parent: e.git?.parent ?? null,
    origin: e.git?.origin ?? null
  },
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
})

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
const metadataColumns = [
  ["runId", "string", "metadata"],
  ["hasNotes", "boolean", "metadata"],
  ["duration", "timenumber", "metadata"],
  ["Name", "string", "log_other"],
  ["throttled", "string", "log_other"],
  ["codeSHA", "string", "metadata"],
  ["file_name", "string", "metadata"],
  ["hasHtml", "boolean", "metadata"],
  ["experimentKey", "string", "metadata"],
  ["optimizationId", "string", "metadata"],
  ["end_server_timestamp", "datetime", "metadata"],
  ["installed_packages", "string", "metadata"],
  ["file_path", "string", "metadata"],
  ["last_message_time", "datetime", "metadata"],
  ["runActive", "boolean", "metadata"],
  ["hasImages", "boolean", "metadata"],
  ["user_name", "string", "metadata"],
  ["start_server_timestamp", "datetime", "metadata"]
]
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
    const cols: Array<[string, string, string]> = metadataColumns.map((c) => c as [string, string, string])
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
      durationMillis: e.durationMillis ?? (e.endTimeMillis === null ? null : e.endTimeMillis - e.startTimeMillis),
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
      for (const e of p.experiments) if (e.experimentKey === key) return { e, p, ws: ws.name }
  throw new Error(`experiment ${key} not found`)
}
for (const key of [richKey, modelKey, plainKey, archivedKey]) {
  const { e, p, ws } = locate(key)
  details[e.experimentKey] = experimentDetail(e, p, ws)
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
