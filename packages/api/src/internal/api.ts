/**
 * The implementation of `CometApi` over `CometHttp`.
 *
 * @internal
 */
import {
  AccountDetails,
  type Asset,
  AssetList,
  type ChartExperiment,
  Code,
  type Column,
  ColumnList,
  type CometError,
  ConfigurationError,
  type Curve,
  CurveData,
  Decode,
  DecodeError,
  ExperimentList,
  ExperimentMetadata,
  ExperimentModelList,
  type ExperimentSummary,
  GitMetadata,
  Graph,
  Html,
  InvalidArgument,
  MetricHistory,
  MetricsChartResponse,
  NotFound,
  Output,
  type Predicate,
  Project,
  ProjectList,
  ProjectNotes,
  ProjectQueryResponse,
  type QueryError,
  type Summary,
  SummaryList,
  SystemDetails,
  Tags,
  WorkspaceList
} from "@comet-ts/core"
import type { CometHttpShape, Params, RequestStatsShape } from "@comet-ts/http"
import { compile, compileTerms, isQuery, parse, type Query, queryVariables, usesOr } from "@comet-ts/query"
import {
  Clock,
  Deferred,
  Effect,
  Either,
  Exit,
  Option,
  Request,
  RequestResolver,
  type Schema,
  type Scope,
  Stream
} from "effect"
import type {
  AssetOptions,
  AssetResult,
  ChartOptions,
  CometApiSettings,
  CometApiShape,
  GetExperimentMethod,
  GetMethod,
  GetProjectNotesMethod,
  ProjectLocation,
  QueryOptions,
  ReturnType,
  SummaryKind
} from "../CometApi.js"
import { Experiment } from "../Experiment.js"
import { PanelContext } from "../PanelContext.js"
import { chartChunkSize } from "./chartChunks.js"
import { required, resolveLocation } from "./paths.js"
import { formatReport } from "./report.js"

/** What one chart request asks for, besides the experiments. */
interface ChartSpec {
  readonly metrics: ReadonlyArray<string>
  readonly params: ReadonlyArray<string> | null
  readonly independent: boolean
  readonly full: boolean
}

const specKey = (s: ChartSpec) => JSON.stringify([s.metrics, s.params, s.independent, s.full])

/** One waiting per-experiment chart call. */
interface ChartWaiter {
  readonly key: string
  readonly deferred: Deferred.Deferred<ChartExperiment | null, CometError>
}

/** A request for one experiment's metadata (deduplicated when batched). */
class GetMetadata extends Request.TaggedClass("GetMetadata")<
  ExperimentMetadata,
  CometError,
  { readonly key: string }
> {}

const groupBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string): Map<string, Array<A>> => {
  const out = new Map<string, Array<A>>()
  for (const item of items) {
    const k = key(item)
    const list = out.get(k)
    if (list === undefined) out.set(k, [item])
    else list.push(item)
  }
  return out
}

const unique = (items: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(items)]

const chunk = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const textDecoder = new TextDecoder("utf-8")

const GIT_PATCH_NONE = new TextEncoder().encode('{"msg"')

const startsWith = (bytes: Uint8Array, prefix: Uint8Array) =>
  bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b)

/** @internal */
export const makeCometApi = (
  http: CometHttpShape,
  stats: RequestStatsShape,
  settings: CometApiSettings,
  scope: Scope.Scope
): CometApiShape => {
  const get = <A, I>(
    endpoint: string,
    schema: Schema.Schema<A, I, never>,
    params: Params,
    cacheable = false
  ): Effect.Effect<A, CometError> => http.get(endpoint, schema, { params, cacheable })

  const toExperiment = (m: ExperimentSummary | ExperimentMetadata): Experiment => new Experiment(m, api, http.baseUrl)

  // ---------------------------------------------------------------- experiments and metadata

  const metadataResolver = RequestResolver.makeBatched((requests: ReadonlyArray<GetMetadata>) =>
    Effect.forEach(
      groupBy(requests, (r) => r.key),
      ([key, reqs]) =>
        get("experiment/metadata", ExperimentMetadata, { experimentKey: key }).pipe(
          Effect.exit,
          Effect.flatMap((exit) => Effect.forEach(reqs, (r) => Request.complete(r, exit), { discard: true }))
        ),
      { concurrency: "unbounded", discard: true }
    )
  )

  const getExperimentMetadata = (experimentKey: string) =>
    Effect.flatMap(required("experimentKey", experimentKey), (key) =>
      Effect.request(new GetMetadata({ key }), metadataResolver)
    )

  const listExperiments = (workspace: string, projectName: string, archived: boolean) =>
    Effect.map(
      get("experiments", ExperimentList, { workspaceName: workspace, projectName, archived }),
      (r) => r.experiments
    )

  const experimentsOf = (workspace: string, projectName: string, archived: boolean, pattern?: string) =>
    Effect.gen(function* () {
      const matcher = pattern === undefined ? undefined : yield* compilePattern(pattern)
      const list = yield* listExperiments(workspace, projectName, archived)
      const kept =
        matcher === undefined
          ? list
          : list.filter((e) => matcher(e.experimentKey) || (e.experimentName !== null && matcher(e.experimentName)))
      return kept.map(toExperiment)
    })

  const compilePattern = (pattern: string): Effect.Effect<(s: string) => boolean, InvalidArgument> =>
    Effect.try({
      try: () => {
        // Python's re.match: the pattern must match at the start of the string.
        const re = new RegExp(pattern, "uy")
        return (s: string) => {
          re.lastIndex = 0
          return re.test(s)
        }
      },
      catch: (e) =>
        new InvalidArgument({
          argument: "pattern",
          value: pattern,
          reason: `not a valid regular expression (${String(e)})`
        })
    })

  const experimentsAcross = (
    workspace: string,
    projectName: string | undefined,
    pattern: string | undefined,
    archived: boolean
  ) =>
    Effect.gen(function* () {
      const ws = yield* required("workspace", workspace)
      if (projectName === undefined) {
        if (pattern !== undefined) {
          return yield* Effect.fail(
            new InvalidArgument({
              argument: "pattern",
              value: pattern,
              reason: "a pattern needs a project name (as in the Python SDK)."
            })
          )
        }
        const projects = yield* getProjects(ws)
        const perProject = yield* Effect.forEach(projects, (p) => experimentsOf(ws, p, archived), {
          concurrency: "unbounded"
        })
        return perProject.flat()
      }
      return yield* experimentsOf(ws, yield* required("projectName", projectName), archived, pattern)
    })

  const findByName = (workspace: string, projectName: string, name: string) =>
    Effect.gen(function* () {
      const list = yield* listExperiments(workspace, projectName, false)
      const hit = list.find((e) => e.experimentName === name)
      if (hit === undefined) {
        return yield* Effect.fail(
          new NotFound({
            resource: "experiment",
            id: `${workspace}/${projectName}/${name}`,
            endpoint: "experiments",
            serverMessage: null,
            sdkErrorCode: null
          })
        )
      }
      return toExperiment(hit)
    })

  /** By key, falling back to a name lookup in the project on 400/404, as the Python SDK does. */
  const experimentAt = (workspace: string, projectName: string, experiment: string) =>
    getExperimentMetadata(experiment).pipe(
      Effect.map(toExperiment),
      Effect.catchTag("NotFound", (notFound) =>
        notFound.resource === "experiment" ? findByName(workspace, projectName, experiment) : Effect.fail(notFound)
      )
    )

  const getWorkspaces = () => Effect.map(get("workspaces", WorkspaceList, {}), (r) => r.workspaceNames)

  const listProjects = (workspace: string) =>
    Effect.flatMap(required("workspace", workspace), (ws) =>
      Effect.map(get("projects", ProjectList, { workspaceName: ws }), (r) => r.projects)
    )

  const getProjects = (workspace: string) => Effect.map(listProjects(workspace), (ps) => ps.map((p) => p.projectName))

  const projectParams = (
    workspace: string | undefined,
    projectName: string | undefined,
    projectId: string | undefined
  ): Effect.Effect<Params, InvalidArgument> => {
    if (projectId !== undefined) return Effect.map(required("projectId", projectId), (id) => ({ projectId: id }))
    return Effect.all({
      workspaceName: required("workspace", workspace),
      projectName: required("projectName", projectName)
    })
  }

  const getProject = (workspace?: string, projectName?: string, projectId?: string) =>
    Effect.flatMap(projectParams(workspace, projectName, projectId), (params) => get("project", Project, params))

  const getProjectColumns = (workspace?: string, projectName?: string, projectId?: string) =>
    Effect.flatMap(projectParams(workspace, projectName, projectId), (params) =>
      Effect.map(get("project/column-names", ColumnList, params), (r) => r.columns)
    )

  const getProjectNotes: GetProjectNotesMethod = (first: string, projectName?: string) =>
    Effect.gen(function* () {
      const projectId =
        projectName === undefined
          ? yield* required("projectId", first)
          : (yield* getProject(first, projectName)).projectId
      const r = yield* get("project/notes", ProjectNotes, { projectId })
      return r.notes ?? ""
    })

  const get_: GetMethod = ((workspace?: string, projectName?: string, experiment?: string) =>
    Effect.gen(function* () {
      const loc = yield* resolveLocation(workspace, projectName, experiment)
      if (loc.workspace === undefined) return yield* getWorkspaces()
      if (loc.projectName === undefined) return yield* getProjects(loc.workspace)
      if (loc.experiment === undefined) return yield* experimentsOf(loc.workspace, loc.projectName, false)
      return yield* experimentAt(loc.workspace, loc.projectName, loc.experiment)
    })) as GetMethod

  const getExperiment: GetExperimentMethod = ((workspace: string, projectName?: string, experimentKey?: string) =>
    Effect.gen(function* () {
      const loc = yield* resolveLocation(workspace, projectName, experimentKey)
      if (loc.workspace === undefined || loc.projectName === undefined || loc.experiment === undefined) {
        return yield* Effect.fail(
          new InvalidArgument({
            argument: "experiment",
            value: [workspace, projectName, experimentKey].filter((x) => x !== undefined).join("/"),
            reason: 'give workspace, project and experiment, or one "workspace/project/experiment" path.'
          })
        )
      }
      return yield* experimentAt(loc.workspace, loc.projectName, loc.experiment)
    })) as GetExperimentMethod

  const getExperimentByKey = (experimentKey: string) => Effect.map(getExperimentMetadata(experimentKey), toExperiment)

  const getExperimentByName = (experimentName: string, location?: ProjectLocation) =>
    Effect.gen(function* () {
      const name = yield* required("experimentName", experimentName)
      const ws = location?.workspace ?? settings.workspace ?? undefined
      const proj = location?.projectName ?? settings.projectName ?? undefined
      if (ws === undefined || proj === undefined) {
        return yield* Effect.fail(
          new ConfigurationError({
            setting: "workspace",
            reason:
              "looking an experiment up by name needs a workspace and project: pass { workspace, projectName }, or set COMET_WORKSPACE and COMET_PROJECT_NAME."
          })
        )
      }
      return yield* findByName(ws, proj, name)
    })

  // ---------------------------------------------------------------- per-experiment reads

  const byKey = <A, I>(
    endpoint: string,
    schema: Schema.Schema<A, I, never>,
    experimentKey: string,
    extra: Params = {},
    cacheable = false
  ): Effect.Effect<A, CometError> =>
    Effect.flatMap(required("experimentKey", experimentKey), (key) =>
      get(endpoint, schema, { experimentKey: key, ...extra }, cacheable)
    )

  const summaries = (endpoint: string) => (experimentKey: string) =>
    Effect.map(byKey(endpoint, SummaryList, experimentKey), (r) => r.values)

  const getExperimentMetricsSummaries = summaries("experiment/metrics/summary")
  const getExperimentParametersSummaries = summaries("experiment/parameters")
  const getExperimentOthersSummaries = summaries("experiment/log-other")

  const summaryOf: Record<SummaryKind, (key: string) => Effect.Effect<ReadonlyArray<Summary>, CometError>> = {
    metric: getExperimentMetricsSummaries,
    parameter: getExperimentParametersSummaries,
    other: getExperimentOthersSummaries
  }

  const getExperimentSummary = (experimentKey: string, kind: SummaryKind, name: string) =>
    Effect.gen(function* () {
      const list = yield* summaryOf[kind](experimentKey)
      const hit = list.find((s) => s.name === name)
      if (hit === undefined) {
        return yield* Effect.fail(
          new NotFound({
            resource: kind,
            id: `${name} of experiment ${experimentKey}`,
            endpoint: null,
            serverMessage: null,
            sdkErrorCode: null
          })
        )
      }
      return hit
    })

  const getExperimentMetric = (experimentKey: string, metric: string) =>
    Effect.gen(function* () {
      const name = yield* required("metric", metric)
      const r = yield* byKey("experiment/metrics/get-metric", MetricHistory, experimentKey, { metricName: name })
      return r.metrics
    })

  const getExperimentMetrics = (experimentKey: string, metric?: string) =>
    metric !== undefined
      ? getExperimentMetric(experimentKey, metric)
      : Effect.gen(function* () {
          const names = (yield* getExperimentMetricsSummaries(experimentKey)).map((s) => s.name).sort()
          const histories = yield* Effect.forEach(names, (n) => getExperimentMetric(experimentKey, n), {
            concurrency: "unbounded"
          })
          return histories.flat()
        })

  const getExperimentName = (experimentKey: string, options?: { readonly maxLength?: number | undefined }) =>
    Effect.gen(function* () {
      const max = options?.maxLength
      if (max !== undefined && (!Number.isInteger(max) || max < 0)) {
        return yield* Effect.fail(
          new InvalidArgument({ argument: "maxLength", value: String(max), reason: "must be a non-negative integer." })
        )
      }
      const others = yield* getExperimentOthersSummaries(experimentKey)
      const fromOther = others.find((s) => s.name === "Name")?.valueCurrent ?? null
      const name = fromOther ?? (yield* getExperimentMetadata(experimentKey)).experimentName
      return name === null || max === undefined ? name : name.slice(0, max)
    })

  const single =
    <K extends string, I>(
      endpoint: string,
      schema: Schema.Schema<{ readonly [k in K]: string | null }, I, never>,
      field: K,
      cacheable = false
    ) =>
    (experimentKey: string): Effect.Effect<string | null, CometError> =>
      Effect.map(byKey(endpoint, schema, experimentKey, {}, cacheable), (r) => r[field])

  const getExperimentCode = single("experiment/code", Code, "code")
  const getExperimentOutput = single("experiment/output", Output, "output")
  const getExperimentHtml = single("experiment/html", Html, "html")
  const getExperimentModelGraph = single("experiment/graph", Graph, "graph")

  const getExperimentSystemDetails = (experimentKey: string) =>
    byKey("experiment/system-details", SystemDetails, experimentKey)

  const getExperimentInstalledPackages = (experimentKey: string) =>
    Effect.map(getExperimentSystemDetails(experimentKey), (d) => d.installedPackages ?? [])

  const getExperimentOsPackages = (experimentKey: string) =>
    Effect.map(getExperimentSystemDetails(experimentKey), (d) => d.osPackages ?? [])

  const getExperimentGitMetadata = (experimentKey: string) =>
    byKey("experiment/git/metadata", GitMetadata, experimentKey)

  const getExperimentGitPatch = (experimentKey: string) =>
    Effect.gen(function* () {
      const key = yield* required("experimentKey", experimentKey)
      const bytes = yield* http.getBytes("experiment/git/patch", { params: { experimentKey: key } })
      // Comet answers a JSON message starting with {"msg" when no patch was logged.
      return startsWith(bytes, GIT_PATCH_NONE) ? null : bytes
    })

  // ---------------------------------------------------------------- assets and models

  const getExperimentAssetList = (experimentKey: string, options?: { readonly assetType?: string | undefined }) =>
    Effect.map(
      byKey("experiment/asset/list", AssetList, experimentKey, { type: options?.assetType ?? "all" }),
      (r) => r.assets
    )

  const decodeAsset = <R extends ReturnType>(
    bytes: Uint8Array,
    returnType: R,
    endpoint: string
  ): Effect.Effect<AssetResult<R>, CometError> => {
    if (returnType === "binary") return Effect.succeed(bytes as AssetResult<R>)
    const text = textDecoder.decode(bytes)
    if (returnType === "text") return Effect.succeed(text as AssetResult<R>)
    return Effect.try({
      try: () => JSON.parse(text) as AssetResult<R>,
      catch: (e) =>
        new DecodeError({
          endpoint,
          path: "",
          detail: `the asset is not JSON (${String(e)}); read it with returnType "text" or "binary"`,
          excerpt: Decode.excerpt(text)
        })
    })
  }

  const assetBytes = (experimentKey: string, assetId: string) =>
    Effect.gen(function* () {
      const key = yield* required("experimentKey", experimentKey)
      const id = yield* required("assetId", assetId)
      // An asset's bytes never change: the cache (when enabled) may keep them.
      return yield* http.getBytes("experiment/asset/get-asset", {
        params: { experimentKey: key, assetId: id },
        cacheable: true
      })
    })

  const checkReturnType = (r: string | undefined): Effect.Effect<ReturnType, InvalidArgument> =>
    r === undefined || r === "binary" || r === "text" || r === "json"
      ? Effect.succeed(r ?? "binary")
      : Effect.fail(
          new InvalidArgument({ argument: "returnType", value: r, reason: 'use "binary", "text" or "json".' })
        )

  const getExperimentAsset = <R extends ReturnType = "binary">(
    experimentKey: string,
    assetId: string,
    options?: AssetOptions<R>
  ): Effect.Effect<AssetResult<R>, CometError> =>
    Effect.gen(function* () {
      const returnType = (yield* checkReturnType(options?.returnType)) as R
      const bytes = yield* assetBytes(experimentKey, assetId)
      return yield* decodeAsset(bytes, returnType, "experiment/asset/get-asset")
    })

  const getExperimentAssetByName = <R extends ReturnType = "binary">(
    experimentKey: string,
    fileName: string,
    options?: AssetOptions<R> & { readonly assetType?: string | undefined }
  ): Effect.Effect<AssetResult<R>, CometError> =>
    Effect.gen(function* () {
      const name = yield* required("fileName", fileName)
      const returnType = (yield* checkReturnType(options?.returnType)) as R
      const assets = yield* getExperimentAssetList(experimentKey, { assetType: options?.assetType })
      const hit = assets.find((a) => a.fileName === name)
      if (hit === undefined) {
        return yield* Effect.fail(
          new NotFound({
            resource: "asset",
            id: `${name} of experiment ${experimentKey}`,
            endpoint: "experiment/asset/list",
            serverMessage: null,
            sdkErrorCode: null
          })
        )
      }
      const bytes = yield* assetBytes(experimentKey, hit.assetId)
      return yield* decodeAsset(bytes, returnType, "experiment/asset/get-asset")
    })

  const streamExperimentAsset = (experimentKey: string, assetId: string) =>
    Stream.unwrap(
      Effect.map(
        Effect.all({ key: required("experimentKey", experimentKey), id: required("assetId", assetId) }),
        ({ key, id }) => http.stream("experiment/asset/get-asset", { params: { experimentKey: key, assetId: id } })
      )
    )

  const getExperimentImages = (experimentKey: string) => getExperimentAssetList(experimentKey, { assetType: "image" })

  const getExperimentCurves = (experimentKey: string) =>
    Effect.gen(function* () {
      const assets = yield* getExperimentAssetList(experimentKey, { assetType: "curve" })
      return yield* Effect.forEach(
        assets,
        (asset: Asset) =>
          Effect.gen(function* () {
            const bytes = yield* assetBytes(experimentKey, asset.assetId)
            const data = yield* Decode.decodeJsonText(
              CurveData,
              "experiment/asset/get-asset"
            )(textDecoder.decode(bytes))
            const curve: Curve = { name: data.name, x: data.x, y: data.y, step: asset.step, assetId: asset.assetId }
            return curve
          }),
        { concurrency: "unbounded" }
      )
    })

  const getExperimentModels = (experimentKey: string) =>
    Effect.map(byKey("experiment/model", ExperimentModelList, experimentKey), (r) => r.models)

  const getExperimentModelNames = (experimentKey: string) =>
    Effect.map(getExperimentModels(experimentKey), (ms) => unique(ms.map((m) => m.modelName)))

  const getExperimentModelAssetList = (experimentKey: string, modelName: string) =>
    Effect.gen(function* () {
      const model = yield* required("modelName", modelName)
      const r = yield* byKey("experiment/model/asset/list", AssetList, experimentKey, { modelName: model })
      if (r.assets.length > 0) return r.assets
      // Comet answers [] for a model the experiment never logged: tell a typo from an empty model.
      const models = yield* getExperimentModels(experimentKey)
      if (!models.some((m) => m.modelName === model)) {
        return yield* Effect.fail(
          new NotFound({
            resource: "model",
            id: `${model} of experiment ${experimentKey}`,
            endpoint: "experiment/model",
            serverMessage: null,
            sdkErrorCode: null
          })
        )
      }
      return r.assets
    })

  // ---------------------------------------------------------------- charts

  const chunkSizeFor = (spec: ChartSpec): number =>
    settings.chartChunkSize ?? chartChunkSize(spec.metrics.length, spec.full)

  /** Fetch chart data for keys: chunks concurrently, merged exactly; a failed chunk fails the whole. */
  const fetchChart = (
    keys: ReadonlyArray<string>,
    spec: ChartSpec,
    onProgress?: (done: number, total: number) => void
  ): Effect.Effect<Record<string, ChartExperiment>, CometError> =>
    Effect.gen(function* () {
      const all = unique(keys)
      if (all.length === 0 || spec.metrics.length === 0) return {}
      let done = 0
      const responses = yield* Effect.forEach(
        chunk(all, chunkSizeFor(spec)),
        (ks) =>
          http
            .post(
              "experiments/multi-metric-chart",
              {
                targetedExperiments: ks,
                metrics: spec.metrics,
                params: spec.params,
                independentMetrics: spec.independent,
                fetchFull: spec.full
              },
              MetricsChartResponse,
              { readOnly: true }
            )
            .pipe(
              Effect.tap(() =>
                Effect.sync(() => {
                  done += ks.length
                  onProgress?.(done, all.length)
                })
              )
            ),
        { concurrency: "unbounded" }
      )
      const merged: Record<string, ChartExperiment> = {}
      for (const k of all) {
        for (const r of responses) {
          const e = r.experiments[k]
          if (e !== undefined) {
            merged[k] = e
            break
          }
        }
      }
      for (const r of responses) for (const [k, e] of Object.entries(r.experiments)) if (!(k in merged)) merged[k] = e
      return merged
    })

  /**
   * Per-experiment chart calls made in the same turn — concurrent fibers, or `Promise.all` over
   * the facade — wait in one window per request shape and go out as one chunked fetch. The
   * window closes once every fiber already scheduled has run (a few scheduler yields, no timer).
   */
  const chartWindows = new Map<string, { readonly spec: ChartSpec; readonly waiters: Array<ChartWaiter> }>()

  const flushChartWindow = (group: string) =>
    Effect.gen(function* () {
      yield* Effect.yieldNow()
      yield* Effect.yieldNow()
      const window = chartWindows.get(group)
      if (window === undefined) return
      chartWindows.delete(group)
      const exit = yield* Effect.exit(
        fetchChart(
          window.waiters.map((w) => w.key),
          window.spec
        )
      )
      for (const w of window.waiters) {
        yield* Deferred.done(
          w.deferred,
          Exit.map(exit, (merged) => merged[w.key] ?? null)
        )
      }
    })

  const chartSpec = (
    metrics: ReadonlyArray<string> | undefined,
    parameters: ReadonlyArray<string> | undefined,
    options: ChartOptions | undefined
  ): ChartSpec => ({
    // As the Python SDK: empty metric names are dropped.
    metrics: unique((metrics ?? []).filter((m) => m.length > 0)),
    params: parameters === undefined || parameters.length === 0 ? null : unique(parameters),
    independent: options?.independentMetrics ?? true,
    full: options?.fetchFull ?? false
  })

  const experimentKeyOf = (e: string | { readonly key: string }) => (typeof e === "string" ? e : e.key)

  const getMetricsForChart = (
    experiments: ReadonlyArray<string | { readonly key: string }>,
    metrics?: ReadonlyArray<string>,
    parameters?: ReadonlyArray<string>,
    options?: ChartOptions
  ) =>
    Effect.gen(function* () {
      const keys = experiments.map(experimentKeyOf)
      const empty = keys.findIndex((k) => k.trim().length === 0)
      if (empty >= 0) {
        return yield* Effect.fail(
          new InvalidArgument({
            argument: `experiments[${empty}]`,
            value: keys[empty] ?? "",
            reason: "an experiment key cannot be empty."
          })
        )
      }
      return yield* fetchChart(keys, chartSpec(metrics, parameters, options), options?.onProgress)
    })

  const getExperimentMetricsForChart = (
    experimentKey: string,
    metrics: ReadonlyArray<string>,
    parameters?: ReadonlyArray<string>,
    options?: ChartOptions
  ) =>
    Effect.gen(function* () {
      const key = yield* required("experimentKey", experimentKey)
      const spec = chartSpec(metrics, parameters, options)
      if (spec.metrics.length === 0) return null
      const group = specKey(spec)
      const deferred = yield* Deferred.make<ChartExperiment | null, CometError>()
      const open = chartWindows.get(group)
      if (open === undefined) {
        chartWindows.set(group, { spec, waiters: [{ key, deferred }] })
        yield* Effect.forkIn(flushChartWindow(group), scope)
      } else {
        open.waiters.push({ key, deferred })
      }
      return yield* Deferred.await(deferred)
    })

  // ---------------------------------------------------------------- queries

  const queryKeys = (workspace: string, projectName: string, predicates: ReadonlyArray<Predicate>, archived: boolean) =>
    Effect.map(
      http.post(
        "project/query",
        { workspaceName: workspace, projectName, predicates, archived },
        ProjectQueryResponse,
        { readOnly: true }
      ),
      (r) => r.experimentKeys
    )

  /** Experiments for keys, from one list call; keys the list lacks are looked up one by one. */
  const experimentsFor = (workspace: string, projectName: string, keys: ReadonlyArray<string>, archived: boolean) =>
    Effect.gen(function* () {
      if (keys.length === 0) return []
      const list = yield* listExperiments(workspace, projectName, archived)
      const byKeyMap = new Map<string, ExperimentSummary>(list.map((e) => [e.experimentKey, e]))
      const missing = keys.filter((k) => !byKeyMap.has(k))
      const fetched = yield* Effect.forEach(unique(missing), getExperimentMetadata, {
        concurrency: "unbounded",
        batching: true
      })
      const byMissing = new Map<string, ExperimentMetadata>(fetched.map((m) => [m.experimentKey, m]))
      return keys.map((k) => toExperiment(byKeyMap.get(k) ?? (byMissing.get(k) as ExperimentMetadata)))
    })

  /**
   * Queries compile against the project's columns. They are kept per project for
   * `columnsTtlMillis` (default 5 minutes; 0 turns this off) and fetched again when a query
   * names a column the kept list lacks or types differently, so a new column is never missed.
   */
  const columnsTtl = settings.columnsTtlMillis ?? 300_000
  const columnsKept = new Map<string, { readonly at: number; readonly columns: ReadonlyArray<Column> }>()

  const freshColumns = (workspace: string, projectName: string) =>
    Effect.gen(function* () {
      const columns = yield* getProjectColumns(workspace, projectName)
      if (columnsTtl > 0) {
        columnsKept.set(JSON.stringify([workspace, projectName]), { at: yield* Clock.currentTimeMillis, columns })
      }
      return columns
    })

  const withColumns = <A>(
    workspace: string,
    projectName: string,
    use: (columns: ReadonlyArray<Column>) => Either.Either<A, QueryError>
  ): Effect.Effect<A, CometError> =>
    Effect.gen(function* () {
      const kept = columnsKept.get(JSON.stringify([workspace, projectName]))
      const now = yield* Clock.currentTimeMillis
      if (kept === undefined || now - kept.at >= columnsTtl)
        return yield* use(yield* freshColumns(workspace, projectName))
      const first = use(kept.columns)
      if (Either.isLeft(first) && (first.left.reason === "unknown-column" || first.left.reason === "type-mismatch")) {
        return yield* use(yield* freshColumns(workspace, projectName))
      }
      return yield* first
    })

  const toQuery = (q: Query | string): Effect.Effect<Query, CometError> =>
    typeof q === "string" ? parse(q) : Effect.succeed(q)

  const query = (workspace: string, projectName: string, q: Query | string, options?: QueryOptions) =>
    Effect.gen(function* () {
      const ws = yield* required("workspace", workspace)
      const proj = yield* required("projectName", projectName)
      const parsed = yield* toQuery(q)
      const archived = options?.archived ?? false
      const strategy = options?.orStrategy ?? settings.orStrategy ?? "nested"
      let keys: ReadonlyArray<string>
      if (strategy === "dnf" && usesOr(parsed)) {
        const terms = yield* withColumns(ws, proj, (columns) => compileTerms(parsed, columns))
        const perTerm = yield* Effect.forEach(terms, (preds) => queryKeys(ws, proj, preds, archived), {
          concurrency: "unbounded"
        })
        keys = unique(perTerm.flat())
      } else {
        keys = yield* queryKeys(ws, proj, yield* withColumns(ws, proj, (columns) => compile(parsed, columns)), archived)
      }
      return yield* experimentsFor(ws, proj, keys, archived)
    })

  const queryProject = (
    workspace: string,
    projectName: string,
    predicates: ReadonlyArray<Predicate> | Query,
    options?: { readonly archived?: boolean | undefined }
  ) =>
    Effect.gen(function* () {
      const ws = yield* required("workspace", workspace)
      const proj = yield* required("projectName", projectName)
      const wire = isQuery(predicates)
        ? yield* withColumns(ws, proj, (columns) => compile(predicates, columns))
        : predicates
      return yield* queryKeys(ws, proj, wire, options?.archived ?? false)
    })

  const getQueryVariables = (workspace?: string, projectName?: string, projectId?: string) =>
    Effect.map(getProjectColumns(workspace, projectName, projectId), queryVariables)

  // ---------------------------------------------------------------- panel

  const panel = PanelContext

  const getPanelExperiments = () =>
    Effect.gen(function* () {
      const ctx = yield* panel
      const keys = yield* ctx.experimentKeys
      const ws = yield* Effect.option(ctx.workspace)
      const proj = yield* Effect.option(ctx.projectName)
      if (Option.isSome(ws) && Option.isSome(proj)) return yield* experimentsFor(ws.value, proj.value, keys, false)
      const metas = yield* Effect.forEach(keys, getExperimentMetadata, { concurrency: "unbounded", batching: true })
      return metas.map(toExperiment)
    })

  const getPanelMetricsNames = (options?: { readonly includeSys?: boolean | undefined }) =>
    Effect.gen(function* () {
      const ctx = yield* panel
      const columns = yield* getProjectColumns(yield* ctx.workspace, yield* ctx.projectName)
      return [
        ...unique(
          columns
            .filter((c) => c.source === "metrics")
            .map((c) => c.name)
            .filter((n) => options?.includeSys === true || !n.startsWith("sys."))
        )
      ].sort()
    })

  const streamExperiments = (workspace: string, projectName?: string) =>
    projectName !== undefined
      ? Stream.fromIterableEffect(experimentsOf(workspace, projectName, false))
      : Stream.fromIterableEffect(getProjects(workspace)).pipe(
          Stream.mapEffect((p) => experimentsOf(workspace, p, false)),
          Stream.flattenIterables
        )

  const api: CometApiShape = {
    get: get_,
    getWorkspaces,
    getProjects,
    listProjects,
    getProject,
    getProjectColumns,
    getProjectExperiments: (workspace, projectName) =>
      Effect.gen(function* () {
        const list = yield* listExperiments(
          yield* required("workspace", workspace),
          yield* required("projectName", projectName),
          false
        )
        return Object.fromEntries(list.map((e) => [e.experimentKey, e]))
      }),
    getProjectNotes,
    getQueryVariables,
    getExperiment,
    getExperimentByKey,
    getExperimentById: getExperimentByKey,
    getExperimentByName,
    getExperiments: (workspace, projectName, pattern) => experimentsAcross(workspace, projectName, pattern, false),
    getArchivedExperiments: (workspace, projectName, pattern) =>
      experimentsAcross(workspace, projectName, pattern, true),
    streamExperiments,
    getExperimentMetadata,
    getExperimentMetric,
    getExperimentMetrics,
    getExperimentMetricsSummaries,
    getExperimentParametersSummaries,
    getExperimentOthersSummaries,
    getExperimentSummary,
    getExperimentName,
    getExperimentUrl: (experimentKey) => Effect.map(getExperimentMetadata(experimentKey), (m) => toExperiment(m).url),
    getExperimentTags: (experimentKey) => Effect.map(byKey("experiment/tags", Tags, experimentKey), (r) => r.tags),
    getExperimentCode,
    getExperimentOutput,
    getExperimentHtml,
    getExperimentGraph: getExperimentModelGraph,
    getExperimentModelGraph,
    getModelGraph: getExperimentModelGraph,
    getExperimentInstalledPackages,
    getExperimentOsPackages,
    getExperimentSystemDetails,
    getExperimentGitMetadata,
    getExperimentGitPatch,
    getExperimentAssetList,
    getExperimentAsset,
    getExperimentAssetByName,
    streamExperimentAsset,
    getExperimentImages,
    getExperimentCurves,
    getExperimentModels,
    getExperimentModelNames,
    getExperimentModelAssetList,
    getMetricsForChart,
    getExperimentMetricsForChart,
    query,
    queryProject,
    getPanelExperimentKeys: () => Effect.flatMap(panel, (ctx) => ctx.experimentKeys),
    getPanelExperiments,
    getPanelMetricsNames,
    getPanelOptions: () => Effect.map(panel, (ctx) => ctx.options),
    getPanelProjectId: () => Effect.flatMap(panel, (ctx) => ctx.projectId),
    getPanelProjectName: () => Effect.flatMap(panel, (ctx) => ctx.projectName),
    getPanelWorkspace: () => Effect.flatMap(panel, (ctx) => ctx.workspace),
    getPanelRequestCount: () => Effect.map(stats.snapshot, (s) => s.attempts),
    getPanelReport: () => Effect.map(stats.snapshot, formatReport),
    getRequestStats: () => stats.snapshot,
    resetRequestStats: () => stats.reset,
    getAccountDetails: () => get("account-details", AccountDetails, {}),
    getDefaultWorkspace: () =>
      Effect.flatMap(get("account-details", AccountDetails, {}), (a) =>
        a.defaultWorkspaceName === null
          ? Effect.fail(
              new NotFound({
                resource: "default workspace",
                id: a.userName,
                endpoint: "account-details",
                serverMessage: null,
                sdkErrorCode: null
              })
            )
          : Effect.succeed(a.defaultWorkspaceName)
      ),
    getBackendVersion: () => Effect.map(http.backendVersion, (v) => v.version),
    baseUrl: http.baseUrl
  }
  return api
}
