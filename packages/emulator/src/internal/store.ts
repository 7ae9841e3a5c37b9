/**
 * Indexes over a dataset: lookups by name, id and key, who can see what, and the derived,
 * cached views (columns, summaries, query records) the endpoints serve.
 *
 * @internal
 */
import type { ExperimentRecord, RecordValue } from "@comet-ts/query"
import type {
  AssetData,
  Dataset,
  ExperimentData,
  LoggedValue,
  MetricSeries,
  ModelData,
  ProjectData,
  WorkspaceData
} from "../Dataset.js"
import { contextAt, formatValue, isGap, lastValue, materialize, seriesLength } from "../Series.js"
import { KeyTable } from "./keys.js"

/** A user, as an API key resolves. */
export interface Principal {
  readonly userName: string
  readonly workspaces: ReadonlySet<string>
  readonly defaultWorkspaceName: string | null
}

/** An experiment with where it lives. */
export interface Located {
  readonly experiment: ExperimentData
  readonly project: ProjectData
  readonly workspace: WorkspaceData
}

/** An asset with where it lives. */
export interface LocatedAsset {
  readonly asset: AssetData
  readonly located: Located
  readonly model: ModelData | null
}

/** A project column of `project/column-names`. */
export interface ColumnJson {
  readonly name: string
  readonly id: string
  readonly type: "string" | "boolean" | "double" | "datetime" | "timenumber"
  readonly source: "metadata" | "metrics" | "params" | "log_other" | "tag" | "env_details"
}

/** One summary entry (the wire shape of §3.2). */
export interface SummaryJson {
  readonly name: string
  readonly valueMax: string | null
  readonly valueMin: string | null
  readonly valueCurrent: string | null
  readonly timestampMax: number | null
  readonly timestampMin: number | null
  readonly timestampCurrent: number | null
  readonly runContextMax: string | null
  readonly runContextMin: string | null
  readonly runContextCurrent: string | null
  readonly stepMax: number | null
  readonly stepMin: number | null
  readonly stepCurrent: number | null
  readonly editable: boolean
}

/** The metadata columns Comet reports for every project (as recorded from the real server). */
export const METADATA_COLUMNS: ReadonlyArray<readonly [string, ColumnJson["type"], ColumnJson["source"]]> = [
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

/** A logged value as Comet stores it: a string (or null). */
export const loggedString = (v: LoggedValue["value"]): string | null =>
  v === null ? null : typeof v === "string" ? v : typeof v === "number" ? formatValue(v) : v ? "true" : "false"

const isNumeric = (s: string) => s.trim().length > 0 && !Number.isNaN(Number(s))
const isBooleanText = (s: string) => /^(true|false)$/i.test(s)

/** The column type of a set of values: double when all are numeric, boolean when all are true/false, else string. */
const typeOf = (values: ReadonlyArray<string | number | boolean | null>): ColumnJson["type"] => {
  const present = values.filter((v) => v !== null)
  if (present.length === 0) return "string"
  if (present.every((v) => typeof v === "number" || (typeof v === "string" && isNumeric(v)))) return "double"
  if (present.every((v) => typeof v === "boolean" || (typeof v === "string" && isBooleanText(v)))) return "boolean"
  return "string"
}

/** Duration of an experiment in ms. */
export const durationOf = (e: ExperimentData): number | null =>
  e.durationMillis ?? (e.endTimeMillis === null ? null : e.endTimeMillis - e.startTimeMillis)

/** The summary of one metric series (min, max and current with their step, timestamp, context). */
export const metricSummary = (s: MetricSeries): SummaryJson | null => {
  const n = seriesLength(s)
  if (n === 0) return null
  const p = materialize(s)
  let iMin = -1
  let iMax = -1
  let last = -1
  for (let i = 0; i < n; i++) {
    if (isGap(p, i)) continue
    last = i
    const v = p.values[i] as number
    if (Number.isNaN(v)) continue
    if (iMin < 0 || v < (p.values[iMin] as number)) iMin = i
    if (iMax < 0 || v > (p.values[iMax] as number)) iMax = i
  }
  if (last < 0) return null
  const val = (i: number) => (i < 0 ? null : formatValue(p.values[i] as number))
  const num = (a: Float64Array, i: number) => (i < 0 || Number.isNaN(a[i] as number) ? null : (a[i] as number))
  return {
    name: s.name,
    valueMax: val(iMax),
    valueMin: val(iMin),
    valueCurrent: val(last),
    timestampMax: num(p.timestamps, iMax),
    timestampMin: num(p.timestamps, iMin),
    timestampCurrent: num(p.timestamps, last),
    runContextMax: iMax < 0 ? null : contextAt(p, iMax),
    runContextMin: iMin < 0 ? null : contextAt(p, iMin),
    runContextCurrent: contextAt(p, last),
    stepMax: num(p.steps, iMax),
    stepMin: num(p.steps, iMin),
    stepCurrent: num(p.steps, last),
    editable: false
  }
}

/** The summary of a parameter or log-other. */
export const loggedSummary = (e: ExperimentData, v: LoggedValue): SummaryJson => {
  const value = loggedString(v.value)
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

/** The in-memory indexes of one dataset. */
export class Store {
  readonly workspaces = new Map<string, WorkspaceData>()
  readonly projectsById = new Map<string, { project: ProjectData; workspace: WorkspaceData }>()
  readonly experiments = new Map<string, Located>()
  readonly assets = new Map<string, LocatedAsset>()
  private readonly principals: KeyTable<Principal>
  private readonly columnCache = new Map<string, ReadonlyArray<ColumnJson>>()
  private readonly summaryCache = new Map<string, ReadonlyArray<SummaryJson>>()
  private readonly recordCache = new Map<string, ExperimentRecord>()

  constructor(
    readonly dataset: Dataset,
    keys: ReadonlyArray<{ apiKey: string; principal: Principal }>
  ) {
    for (const ws of dataset.workspaces) {
      this.workspaces.set(ws.name, ws)
      for (const project of ws.projects) {
        this.projectsById.set(project.projectId, { project, workspace: ws })
        for (const experiment of project.experiments) {
          const located = { experiment, project, workspace: ws }
          this.experiments.set(experiment.experimentKey, located)
          for (const asset of experiment.assets) this.assets.set(asset.assetId, { asset, located, model: null })
          for (const model of experiment.models)
            for (const asset of model.assets) this.assets.set(asset.assetId, { asset, located, model })
        }
      }
    }
    this.principals = new KeyTable(keys.map((k) => [k.apiKey, k.principal] as const))
  }

  /** The user of an API key, compared in constant time with every known key. */
  principal(apiKey: string): Principal | undefined {
    return this.principals.lookup(apiKey)
  }

  /** Experiments of a project, non-archived or archived. */
  experimentsOf(project: ProjectData, archived: boolean): ReadonlyArray<ExperimentData> {
    return project.experiments.filter((e) => e.archived === archived)
  }

  /** `project/column-names` for a project (all its experiments, archived included). */
  columns(project: ProjectData): ReadonlyArray<ColumnJson> {
    const cached = this.columnCache.get(project.projectId)
    if (cached !== undefined) return cached
    const cols: Array<ColumnJson> = METADATA_COLUMNS.map(([name, type, source]) => ({
      name,
      id: `${name}--${source}`,
      type,
      source
    }))
    const seen = new Set(cols.map((c) => c.id))
    const metrics = new Set<string>()
    const params = new Map<string, Array<string | null>>()
    const others = new Map<string, Array<string | null>>()
    const env = new Map<string, Array<string | number | boolean | null>>()
    const tags = new Set<string>()
    const collect = (m: Map<string, Array<string | null>>, v: LoggedValue) => {
      const list = m.get(v.name) ?? []
      list.push(loggedString(v.value))
      m.set(v.name, list)
    }
    for (const e of project.experiments) {
      for (const s of e.metrics) metrics.add(s.name)
      for (const p of e.params) collect(params, p)
      for (const o of e.others) collect(others, o)
      for (const [k, v] of Object.entries(e.environment)) {
        const list = env.get(k) ?? []
        list.push(v)
        env.set(k, list)
      }
      for (const t of e.tags) tags.add(t)
    }
    const push = (name: string, type: ColumnJson["type"], source: ColumnJson["source"]) => {
      const id = `${name}--${source}`
      if (seen.has(id)) return
      seen.add(id)
      cols.push({ name, id, type, source })
    }
    for (const m of [...metrics].sort()) push(m, "double", "metrics")
    for (const [k, vs] of [...params].sort(([a], [b]) => a.localeCompare(b))) push(k, typeOf(vs), "params")
    for (const [k, vs] of [...others].sort(([a], [b]) => a.localeCompare(b))) push(k, typeOf(vs), "log_other")
    for (const t of [...tags].sort()) push(t, "string", "tag")
    for (const [k, vs] of [...env].sort(([a], [b]) => a.localeCompare(b))) push(k, typeOf(vs), "env_details")
    this.columnCache.set(project.projectId, cols)
    return cols
  }

  /** Metric summaries of an experiment (cached). */
  metricSummaries(e: ExperimentData): ReadonlyArray<SummaryJson> {
    const cached = this.summaryCache.get(e.experimentKey)
    if (cached !== undefined) return cached
    const out: Array<SummaryJson> = []
    for (const s of e.metrics) {
      const summary = metricSummary(s)
      if (summary !== null) out.push(summary)
    }
    this.summaryCache.set(e.experimentKey, out)
    return out
  }

  /** The record a query is evaluated against (cached). */
  record(l: Located): ExperimentRecord {
    const e = l.experiment
    const cached = this.recordCache.get(e.experimentKey)
    if (cached !== undefined) return cached
    const metrics: Record<string, RecordValue> = {}
    for (const s of e.metrics) metrics[s.name] = lastValue(s)
    const values = (list: ReadonlyArray<LoggedValue>) => {
      const out: Record<string, RecordValue> = {}
      for (const v of list) out[v.name] = loggedString(v.value)
      return out
    }
    const installed = e.systemDetails.installedPackages
    const record: ExperimentRecord = {
      metrics,
      params: values(e.params),
      others: values(e.others),
      metadata: {
        runId: e.experimentKey,
        hasNotes: false,
        duration: durationOf(e),
        codeSHA: null,
        file_name: e.fileName,
        hasHtml: e.html !== null,
        experimentKey: e.experimentKey,
        optimizationId: e.optimizationId,
        end_server_timestamp: e.endTimeMillis,
        installed_packages: installed === undefined ? null : installed.join(","),
        file_path: e.filePath,
        last_message_time: e.endTimeMillis ?? e.startTimeMillis,
        runActive: e.running,
        hasImages: e.assets.some((a) => a.type === "image"),
        user_name: e.userName,
        start_server_timestamp: e.startTimeMillis
      },
      env: { ...e.environment },
      tags: e.tags
    }
    this.recordCache.set(e.experimentKey, record)
    return record
  }
}
