/**
 * The JSON bodies of the read endpoints, in the exact shapes of comet-rest-v2.md: every field
 * present (`null` rather than missing), values as strings where Comet sends strings, epoch-ms
 * integers for times.
 *
 * @internal
 */
import type { AssetData, ExperimentData, MetricSeries, ModelData, ProjectData, WorkspaceData } from "../Dataset.js"
import { chartValue, contextAt, formatValue, isGap, materialize, type SeriesPoints } from "../Series.js"
import { contentSize } from "./content.js"
import { durationOf, type Located, loggedString, type Store } from "./store.js"

export const projectJson = (store: Store, ws: WorkspaceData, p: ProjectData) => ({
  projectId: p.projectId,
  projectName: p.projectName,
  ownerUserName: p.ownerUserName,
  projectDescription: p.projectDescription,
  workspaceName: ws.name,
  numberOfExperiments: store.experimentsOf(p, false).length,
  lastUpdated: p.lastUpdated ?? p.experiments.reduce((m, e) => Math.max(m, e.endTimeMillis ?? e.startTimeMillis), 0),
  public: p.public
})

export const experimentJson = (l: Located) => {
  const e = l.experiment
  return {
    experimentKey: e.experimentKey,
    experimentName: e.experimentName,
    optimizationId: e.optimizationId,
    projectId: l.project.projectId,
    projectName: l.project.projectName,
    workspaceName: l.workspace.name,
    filePath: e.filePath,
    fileName: e.fileName,
    durationMillis: durationOf(e),
    startTimeMillis: e.startTimeMillis,
    endTimeMillis: e.endTimeMillis,
    archived: e.archived
  }
}

export const metadataJson = (l: Located) => ({
  ...experimentJson(l),
  userName: l.experiment.userName,
  running: l.experiment.running,
  hasCrashed: l.experiment.hasCrashed,
  throttle: l.experiment.throttle,
  throttleMessage: null,
  throttleReasons: null
})

const fileNameOf = (path: string) => path.split("/").pop() ?? path

export const assetJson = (origin: string, e: ExperimentData, a: AssetData, apiKeyHint = "$COMET_API_KEY") => {
  const link = a.remote
    ? (a.remoteUri ?? "")
    : `${origin}/api/rest/v2/experiment/asset/get-asset?experimentKey=${e.experimentKey}&assetId=${encodeURIComponent(a.assetId)}`
  return {
    assetId: a.assetId,
    fileName: a.fileName,
    fileSize: contentSize(a.content),
    runContext: a.runContext,
    step: a.step,
    remote: a.remote,
    link,
    compressedAssetLink: a.remote ? null : link,
    curlDownload: a.remote ? null : `curl -H "Authorization: ${apiKeyHint}" "${link}" -o "${fileNameOf(a.fileName)}"`,
    createdAt: a.createdAt,
    dir: a.dir,
    canView: false,
    audio: a.type === "audio",
    video: a.type === "video",
    histogram: a.type === "histogram_combined_3d" || a.type === "histogram3d",
    image: a.type === "image",
    type: a.type,
    metadata: a.metadata,
    tags: a.tags
  }
}

export const modelJson = (e: ExperimentData, m: ModelData) => ({
  experimentModelId: m.experimentModelId,
  experimentKey: e.experimentKey,
  modelName: m.modelName,
  registryRecords: m.registryRecords.map((r) => ({
    registryModelId: r.registryModelId,
    registryModelItemId: r.registryModelItemId,
    registryModelName: r.registryModelName,
    version: r.version,
    createdAt: r.createdAt
  }))
})

export const systemDetailsJson = (e: ExperimentData) => {
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

export const gitMetadataJson = (e: ExperimentData) => ({
  experimentKey: e.experimentKey,
  user: e.git?.user ?? null,
  root: e.git?.root ?? null,
  branch: e.git?.branch ?? null,
  parent: e.git?.parent ?? null,
  origin: e.git?.origin ?? null
})

const nn = (v: number) => (Number.isNaN(v) ? null : v)

const pointJson = (name: string, p: SeriesPoints, i: number) => ({
  metricName: name,
  metricValue: formatValue(p.values[i] as number),
  timestamp: p.timestamps[i] as number,
  step: nn(p.steps[i] as number),
  epoch: nn(p.epochs[i] as number),
  runContext: contextAt(p, i),
  offset: i
})

/**
 * The points of one metric for `get-metric` (values as strings, as Comet sends them; a point
 * without a value is left out).
 */
export const metricPointsJson = (s: MetricSeries) => {
  const p = materialize(s)
  const out = []
  for (let i = 0; i < p.length; i++) if (!isGap(p, i)) out.push(pointJson(s.name, p, i))
  return out
}

/**
 * Every point of every metric for `get-all`, in logging order: by timestamp, then in the order
 * the experiment's metrics are listed, then by position (a stable merge). comet_ml 3.58.8's
 * `APIExperiment.get_metrics()` returns this list as is; its docstring shows the points of
 * different metrics interleaved, in ascending time and offset.
 */
export const allMetricPointsJson = (series: ReadonlyArray<MetricSeries>) => {
  const all = series.map((s) => ({ name: s.name, p: materialize(s) }))
  const order: Array<readonly [number, number]> = []
  all.forEach(({ p }, j) => {
    for (let i = 0; i < p.length; i++) if (!isGap(p, i)) order.push([j, i])
  })
  order.sort(
    ([ja, ia], [jb, ib]) =>
      ((all[ja] as (typeof all)[number]).p.timestamps[ia] as number) -
        ((all[jb] as (typeof all)[number]).p.timestamps[ib] as number) ||
      ja - jb ||
      ia - ib
  )
  return order.map(([j, i]) => {
    const { name, p } = all[j] as (typeof all)[number]
    return pointJson(name, p, i)
  })
}

/** Points the chart keeps per metric when `fetchFull` is false. */
export const SAMPLE_POINTS = 500

/**
 * Indices of an evenly spaced sample of `count` of `n` points, always with the first and the
 * last (deterministic).
 */
export const sampleIndices = (n: number, count = SAMPLE_POINTS): ReadonlyArray<number> => {
  if (n <= count) return Array.from({ length: n }, (_, i) => i)
  const out: Array<number> = []
  let prev = -1
  for (let k = 0; k < count; k++) {
    const i = Math.round((k * (n - 1)) / (count - 1))
    if (i !== prev) out.push(i)
    prev = i
  }
  return out
}

const chartMetric = (name: string, p: SeriesPoints, idx: ReadonlyArray<number>, start: number) => {
  const values = new Array<number | string | null>(idx.length)
  const steps = new Array<number | null>(idx.length)
  const epochs = new Array<number | null>(idx.length)
  const timestamps = new Array<number>(idx.length)
  const durations = new Array<number>(idx.length)
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] as number
    const v = p.values[i] as number
    // A gap is null; NaN and ±Infinity are the strings comet_ml logs for them (README: charts).
    values[k] = isGap(p, i) ? null : chartValue(v)
    steps[k] = nn(p.steps[i] as number)
    epochs[k] = nn(p.epochs[i] as number)
    timestamps[k] = p.timestamps[i] as number
    durations[k] = (p.timestamps[i] as number) - start
  }
  return { metricName: name, values, steps, epochs, timestamps, durations }
}

/** One experiment of the multi-metric chart (§3.5). */
export const chartExperimentJson = (
  l: Located,
  metrics: ReadonlyArray<string>,
  params: ReadonlyArray<string> | null,
  independent: boolean,
  full: boolean
) => {
  const e = l.experiment
  const wanted = new Set(metrics)
  const series = e.metrics.filter((s) => wanted.has(s.name))
  const ordered = metrics.flatMap((name) => series.filter((s) => s.name === name).slice(0, 1))
  const points = ordered.map((s) => ({ name: s.name, p: materialize(s) }))
  let sharedSteps: Array<number> | null = null
  let chartMetrics: Array<ReturnType<typeof chartMetric>>
  if (independent || points.length === 0) {
    chartMetrics = points.map(({ name, p }) =>
      chartMetric(
        name,
        p,
        full ? Array.from({ length: p.length }, (_, i) => i) : sampleIndices(p.length),
        e.startTimeMillis
      )
    )
  } else {
    // Align on the steps every requested metric has (first point logged at each step).
    const firstAt = points.map(({ p }) => {
      const m = new Map<number, number>()
      for (let i = 0; i < p.length; i++) {
        const s = p.steps[i] as number
        if (!Number.isNaN(s) && !m.has(s)) m.set(s, i)
      }
      return m
    })
    const [head, ...rest] = firstAt
    const shared =
      head === undefined ? [] : [...head.keys()].filter((s) => rest.every((m) => m.has(s))).sort((a, b) => a - b)
    const kept = full ? shared : sampleIndices(shared.length).map((k) => shared[k] as number)
    sharedSteps = kept
    chartMetrics = points.map(({ name, p }, j) => {
      const m = firstAt[j] as Map<number, number>
      return chartMetric(
        name,
        p,
        kept.map((s) => m.get(s) as number),
        e.startTimeMillis
      )
    })
  }
  let paramsJson: Record<string, string | null> | null = null
  if (params !== null && params.length > 0) {
    paramsJson = {}
    for (const name of params) {
      const found = e.params.find((p) => p.name === name)
      if (found !== undefined) paramsJson[name] = loggedString(found.value)
    }
  }
  return {
    experimentKey: e.experimentKey,
    experiment_key: e.experimentKey,
    experimentName: e.experimentName,
    steps: sharedSteps,
    epochs: null,
    metrics: chartMetrics,
    params: paramsJson
  }
}
