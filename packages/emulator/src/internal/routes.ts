/**
 * The REST v2 read endpoints as an `HttpRouter`. Handlers read the caller's principal and the
 * parsed URL from {@link RequestContext} (provided by the emulator's middleware) and answer with
 * exactly the JSON Comet sends.
 *
 * @internal
 */

import { type Predicate, ProjectQueryRequest } from "@comet-ts/core"
import type { ExperimentRecord } from "@comet-ts/query"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { AssetData, ExperimentData, ProjectData, WorkspaceData } from "../Dataset.js"
import { contentBytes, contentSize, contentStream, STREAM_THRESHOLD, zipStore } from "./content.js"
import { type Located, loggedSummary, type Principal, type Store } from "./store.js"
import {
  allMetricPointsJson,
  assetJson,
  chartExperimentJson,
  experimentJson,
  gitMetadataJson,
  metadataJson,
  metricPointsJson,
  modelJson,
  projectJson,
  systemDetailsJson
} from "./wire.js"

/** What the middleware tells a handler about the request. */
export interface RequestInfo {
  readonly principal: Principal
  readonly url: URL
  readonly origin: string
}

/** The request's principal and URL. */
export class RequestContext extends Context.Tag("@comet-ts/emulator/RequestContext")<RequestContext, RequestInfo>() {}

interface HttpFailureFields {
  readonly status: number
  readonly msg: string
  readonly sdkErrorCode?: number | undefined
}

// Typed by hand: the inferred type of Data.TaggedError's constructor names effect 3.22's
// `Types.VoidIfEmpty` in the published .d.ts, which the older effect minors we support lack.
const HttpFailureBase: new (
  fields: HttpFailureFields
) => Cause.YieldableError & { readonly _tag: "HttpFailure" } & Readonly<HttpFailureFields> =
  Data.TaggedError("HttpFailure")

/** A request the server refuses, with Comet's error body. */
export class HttpFailure extends HttpFailureBase {}

/** Comet's error body (comet-rest-v2.md §5.1). */
export const errorBody = (status: number, msg: string, sdkErrorCode?: number) =>
  sdkErrorCode === undefined ? { code: status, msg } : { code: status, msg, sdk_error_code: sdkErrorCode }

/** A JSON response with exactly `Content-Type: application/json`. */
export const json = (body: unknown, status = 200) =>
  HttpServerResponse.text(JSON.stringify(body), { status, contentType: "application/json" })

/** The JSON error response. */
export const errorResponse = (status: number, msg: string, sdkErrorCode?: number) =>
  json(errorBody(status, msg, sdkErrorCode), status)

const fail = (status: number, msg: string, sdkErrorCode?: number) =>
  Effect.fail(new HttpFailure({ status, msg, sdkErrorCode }))

const param = (url: URL, name: string): string | undefined => {
  const v = url.searchParams.get(name)
  return v === null ? undefined : v
}

/** Parse a query-string boolean case-insensitively (`true`, `True`, `TRUE`, …). */
export const parseBool = (raw: string | undefined, name: string, dflt: boolean) => {
  if (raw === undefined || raw === "") return Effect.succeed(dflt)
  const v = raw.trim().toLowerCase()
  if (v === "true" || v === "1") return Effect.succeed(true)
  if (v === "false" || v === "0") return Effect.succeed(false)
  return fail(400, `${name} must be true or false, got ${JSON.stringify(raw)}`)
}

const NO_EXPERIMENT = 90211
const NO_WORKSPACE = 90219
const NO_KEY = 90998
const NO_PROJECT_NAME = 98219

/** The routes, over one store. */
/** Whether one experiment matches the predicates of `project/query` (the shared rule table of `@comet-ts/query`). */
export type PredicateEvaluator = (predicates: ReadonlyArray<Predicate>, record: ExperimentRecord) => boolean

/** The routes, over one store; `evaluate` decides `project/query`. */
export const makeRouter = (store: Store, evaluate: PredicateEvaluator) => {
  // The method of every path, to answer 405 (with Allow) rather than 404 for a wrong method.
  const methods = new Map<string, string>()
  const get = <E, R>(path: `/${string}`, handler: HttpRouter.Route.Handler<E, R>) => {
    methods.set(path, "GET")
    return HttpRouter.get(path, handler)
  }
  const post = <E, R>(path: `/${string}`, handler: HttpRouter.Route.Handler<E, R>) => {
    methods.set(path, "POST")
    return HttpRouter.post(path, handler)
  }

  const workspaceFor = (info: RequestInfo, name: string) =>
    Effect.gen(function* () {
      const ws = store.workspaces.get(name)
      if (ws === undefined) return yield* fail(404, `Workspace ${JSON.stringify(name)} does not exist`, NO_WORKSPACE)
      if (!info.principal.workspaces.has(name))
        return yield* fail(403, `User ${info.principal.userName} has no access to workspace ${JSON.stringify(name)}`)
      return ws
    })

  /** The project a request names, by `projectId` or by `workspaceName` + `projectName`. */
  const projectFor = (
    info: RequestInfo
  ): Effect.Effect<{ project: ProjectData; workspace: WorkspaceData }, HttpFailure> =>
    Effect.gen(function* () {
      const projectId = param(info.url, "projectId")
      if (projectId !== undefined) {
        const found = store.projectsById.get(projectId)
        if (found === undefined || !info.principal.workspaces.has(found.workspace.name))
          return yield* fail(404, `Project ${JSON.stringify(projectId)} does not exist`)
        return found
      }
      const workspaceName = param(info.url, "workspaceName")
      const projectName = param(info.url, "projectName")
      if (workspaceName === undefined) return yield* fail(400, "workspaceName or projectId is required", NO_WORKSPACE)
      if (projectName === undefined) return yield* fail(400, "projectName is required", NO_PROJECT_NAME)
      const workspace = yield* workspaceFor(info, workspaceName)
      const project = workspace.projects.find((p) => p.projectName === projectName)
      if (project === undefined)
        return yield* fail(404, `Project ${JSON.stringify(`${workspaceName}/${projectName}`)} does not exist`)
      return { project, workspace }
    })

  /** The experiment of `experimentKey` (404 when unknown or not visible to the key). */
  const experimentFor = (info: RequestInfo): Effect.Effect<Located, HttpFailure> =>
    Effect.gen(function* () {
      const key = param(info.url, "experimentKey")
      if (key === undefined || key === "") return yield* fail(400, "experimentKey is required", NO_KEY)
      const located = store.experiments.get(key)
      if (located === undefined || !info.principal.workspaces.has(located.workspace.name))
        return yield* fail(404, `Experiment ${JSON.stringify(key)} does not exist`, NO_EXPERIMENT)
      return located
    })

  const withExperiment = <A>(f: (l: Located, info: RequestInfo) => Effect.Effect<A, HttpFailure>) =>
    Effect.gen(function* () {
      const info = yield* RequestContext
      const located = yield* experimentFor(info)
      return yield* f(located, info)
    })

  const simple = (f: (l: Located, info: RequestInfo) => unknown) =>
    withExperiment((l, info) => Effect.succeed(json(f(l, info))))

  const binary = (bytes: Uint8Array) =>
    HttpServerResponse.uint8Array(bytes, { contentType: "application/octet-stream" })

  const assetResponse = (asset: AssetData) => {
    const size = contentSize(asset.content)
    if (size > STREAM_THRESHOLD)
      return HttpServerResponse.stream(contentStream(asset.content), {
        contentType: "application/octet-stream",
        contentLength: size
      })
    return binary(contentBytes(asset.content))
  }

  const readBody = <A, I>(schema: Schema.Schema<A, I>) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* request.json.pipe(
        Effect.mapError(() => new HttpFailure({ status: 400, msg: "The body is not JSON" }))
      )
      return yield* Schema.decodeUnknown(schema)(body).pipe(
        Effect.mapError((e) => new HttpFailure({ status: 400, msg: `Bad request body: ${e.message.slice(0, 300)}` }))
      )
    })

  const ChartBody = Schema.Struct({
    targetedExperiments: Schema.Array(Schema.String),
    metrics: Schema.optionalWith(Schema.NullOr(Schema.Array(Schema.String)), { default: () => null }),
    params: Schema.optionalWith(Schema.NullOr(Schema.Array(Schema.String)), { default: () => null }),
    independentMetrics: Schema.optionalWith(Schema.Boolean, { default: () => true }),
    fetchFull: Schema.optionalWith(Schema.Boolean, { default: () => false })
  })

  const experimentsList = Effect.gen(function* () {
    const info = yield* RequestContext
    const { project, workspace } = yield* projectFor(info)
    const archived = yield* parseBool(param(info.url, "archived"), "archived", false)
    let list = store.experimentsOf(project, archived)
    const sortBy = param(info.url, "sortBy")
    if (sortBy !== undefined) {
      if (sortBy !== "startTime" && sortBy !== "endTime") return yield* fail(400, "sortBy must be startTime or endTime")
      const order = (param(info.url, "sortOrder") ?? "asc").toLowerCase()
      if (order !== "asc" && order !== "desc") return yield* fail(400, "sortOrder must be asc or desc")
      const field = (e: ExperimentData) =>
        sortBy === "startTime" ? e.startTimeMillis : (e.endTimeMillis ?? Number.MAX_SAFE_INTEGER)
      list = [...list].sort((a, b) => (order === "asc" ? field(a) - field(b) : field(b) - field(a)))
    }
    const pageRaw = param(info.url, "page")
    if (pageRaw !== undefined) {
      const page = Number(pageRaw)
      const size = Number(param(info.url, "size") ?? "")
      if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1)
        return yield* fail(400, "page and size must be positive integers")
      list = list.slice((page - 1) * size, page * size)
    }
    return json({ experiments: list.map((experiment) => experimentJson({ experiment, project, workspace })) })
  })

  const general = HttpRouter.empty.pipe(
    get(
      "/api/rest/v2/workspaces",
      Effect.map(RequestContext, (info) =>
        json({
          workspaceNames: store.dataset.workspaces.map((w) => w.name).filter((n) => info.principal.workspaces.has(n))
        })
      )
    ),
    get(
      "/api/rest/v2/account-details",
      Effect.map(RequestContext, (info) =>
        json({ userName: info.principal.userName, defaultWorkspaceName: info.principal.defaultWorkspaceName })
      )
    ),
    get(
      "/api/rest/v2/projects",
      Effect.gen(function* () {
        const info = yield* RequestContext
        const name = param(info.url, "workspaceName")
        if (name === undefined) return yield* fail(400, "workspaceName is required", NO_WORKSPACE)
        const ws = yield* workspaceFor(info, name)
        return json({ projects: ws.projects.map((p) => projectJson(store, ws, p)) })
      })
    ),
    get(
      "/api/rest/v2/project",
      Effect.gen(function* () {
        const info = yield* RequestContext
        const { project, workspace } = yield* projectFor(info)
        return json(projectJson(store, workspace, project))
      })
    ),
    get(
      "/api/rest/v2/project/notes",
      Effect.gen(function* () {
        const info = yield* RequestContext
        const { project } = yield* projectFor(info)
        return json({ notes: project.notes })
      })
    ),
    get(
      "/api/rest/v2/project/column-names",
      Effect.gen(function* () {
        const info = yield* RequestContext
        const { project } = yield* projectFor(info)
        return json({ columns: store.columns(project) })
      })
    ),
    get("/api/rest/v2/experiments", experimentsList)
  )

  const experimentReads = HttpRouter.empty.pipe(
    get(
      "/api/rest/v2/experiment/metadata",
      simple((l) => metadataJson(l))
    ),
    get(
      "/api/rest/v2/experiment/metrics/summary",
      simple((l) => ({ values: store.metricSummaries(l.experiment) }))
    ),
    get(
      "/api/rest/v2/experiment/parameters",
      simple((l) => ({ values: l.experiment.params.map((p) => loggedSummary(l.experiment, p)) }))
    ),
    get(
      "/api/rest/v2/experiment/log-other",
      simple((l) => ({ values: l.experiment.others.map((o) => loggedSummary(l.experiment, o)) }))
    ),
    get(
      "/api/rest/v2/experiment/metrics/get-metric",
      withExperiment((l, info) => {
        const name = param(info.url, "metricName")
        if (name === undefined) return fail(400, "metricName is required")
        const series = l.experiment.metrics.find((s) => s.name === name)
        return Effect.succeed(json({ metrics: series === undefined ? [] : metricPointsJson(series) }))
      })
    ),
    get(
      "/api/rest/v2/experiment/metrics/get-all",
      simple((l) => ({ metrics: allMetricPointsJson(l.experiment.metrics) }))
    ),
    post(
      "/api/rest/v2/experiments/multi-metric-chart",
      Effect.gen(function* () {
        const info = yield* RequestContext
        const body = yield* readBody(ChartBody)
        const metrics = (body.metrics ?? []).filter((m) => m.length > 0)
        if (metrics.length === 0) return json({ experiments: {}, empty: true })
        const experiments: Record<string, unknown> = {}
        let empty = true
        for (const key of body.targetedExperiments) {
          const located = store.experiments.get(key)
          if (located === undefined || !info.principal.workspaces.has(located.workspace.name)) continue
          const chart = chartExperimentJson(located, metrics, body.params, body.independentMetrics, body.fetchFull)
          if (chart.metrics.some((m) => m.values.length > 0)) empty = false
          experiments[key] = chart
        }
        return json({ experiments, empty })
      })
    ),
    get(
      "/api/rest/v2/experiment/tags",
      simple((l) => ({ tags: l.experiment.tags }))
    )
  )

  const contentReads = HttpRouter.empty.pipe(
    get(
      "/api/rest/v2/experiment/code",
      simple((l) => ({ code: l.experiment.code }))
    ),
    get(
      "/api/rest/v2/experiment/output",
      simple((l) => ({ output: l.experiment.output }))
    ),
    get(
      "/api/rest/v2/experiment/graph",
      simple((l) => ({ graph: l.experiment.graph }))
    ),
    get(
      "/api/rest/v2/experiment/html",
      simple((l) => ({ html: l.experiment.html }))
    ),
    get(
      "/api/rest/v2/experiment/system-details",
      simple((l) => systemDetailsJson(l.experiment))
    ),
    get(
      "/api/rest/v2/experiment/installed-packages",
      simple((l) => ({ packages: l.experiment.systemDetails.installedPackages ?? [] }))
    ),
    get(
      "/api/rest/v2/experiment/git/metadata",
      simple((l) => gitMetadataJson(l.experiment))
    ),
    get(
      "/api/rest/v2/experiment/git/patch",
      withExperiment((l) => {
        const patch = l.experiment.git?.patch ?? null
        // Comet answers 200 with a JSON message when there is no patch; the SDK checks for `{"msg"`.
        if (patch === null) return Effect.succeed(json({ msg: "No git patch for this experiment" }))
        return Effect.succeed(binary(contentBytes(patch)))
      })
    )
  )

  const assetReads = HttpRouter.empty.pipe(
    get(
      "/api/rest/v2/experiment/asset/list",
      withExperiment((l, info) => {
        const type = param(info.url, "type") ?? "all"
        const assets = l.experiment.assets.filter((a) => type === "all" || a.type === type)
        return Effect.succeed(json({ assets: assets.map((a) => assetJson(info.origin, l.experiment, a)) }))
      })
    ),
    get(
      "/api/rest/v2/experiment/images",
      simple((l, info) => ({
        images: l.experiment.assets
          .filter((a) => a.type === "image")
          .map((a) => assetJson(info.origin, l.experiment, a))
      }))
    ),
    get(
      "/api/rest/v2/experiment/asset/get-by-name",
      withExperiment((l, info) => {
        const name = param(info.url, "assetName")
        if (name === undefined) return fail(400, "assetName is required")
        const type = param(info.url, "type")
        const assets = l.experiment.assets.filter(
          (a) => a.fileName === name && (type === undefined || type === "all" || a.type === type)
        )
        return Effect.succeed(json({ assets: assets.map((a) => assetJson(info.origin, l.experiment, a)) }))
      })
    ),
    get(
      "/api/rest/v2/experiment/asset/get-asset",
      Effect.gen(function* () {
        const info = yield* RequestContext
        const assetId = param(info.url, "assetId")
        if (assetId === undefined) return yield* fail(400, "assetId is required")
        if (param(info.url, "artifactVersionId") !== undefined)
          return yield* fail(404, "No artifact version found", 624523)
        const key = param(info.url, "experimentKey")
        const found = store.assets.get(assetId)
        const visible =
          found !== undefined &&
          info.principal.workspaces.has(found.located.workspace.name) &&
          (key === undefined || found.located.experiment.experimentKey === key)
        if (!visible) {
          if (key !== undefined) yield* experimentFor(info)
          return yield* fail(404, `Asset ${JSON.stringify(assetId)} does not exist`)
        }
        return assetResponse(found.asset)
      })
    ),
    get(
      "/api/rest/v2/experiment/model",
      simple((l) => ({ models: l.experiment.models.map((m) => modelJson(l.experiment, m)) }))
    ),
    get(
      "/api/rest/v2/experiment/model/asset/list",
      withExperiment((l, info) => {
        const name = param(info.url, "modelName")
        if (name === undefined) return fail(400, "modelName is required")
        const models = l.experiment.models.filter((m) => m.modelName === name)
        if (models.length === 0) return fail(404, `Model ${JSON.stringify(name)} does not exist`)
        const assets = models.flatMap((m) => m.assets)
        return Effect.succeed(json({ assets: assets.map((a) => assetJson(info.origin, l.experiment, a)) }))
      })
    ),
    get(
      "/api/rest/v2/experiment/model/download",
      withExperiment((l, info) => {
        const name = param(info.url, "modelName")
        if (name === undefined) return fail(400, "modelName is required")
        const model = l.experiment.models.find((m) => m.modelName === name)
        if (model === undefined) return fail(404, `Model ${JSON.stringify(name)} does not exist`)
        return Effect.succeed(
          binary(zipStore(model.assets.map((a) => ({ name: a.fileName, bytes: contentBytes(a.content) }))))
        )
      })
    )
  )

  const query = HttpRouter.empty.pipe(
    post(
      "/api/rest/v2/project/query",
      Effect.gen(function* () {
        const info = yield* RequestContext
        const body = yield* readBody(ProjectQueryRequest)
        let found: { project: ProjectData; workspace: WorkspaceData } | undefined
        if (body.projectId !== undefined) {
          found = store.projectsById.get(body.projectId)
          if (found === undefined || !info.principal.workspaces.has(found.workspace.name))
            return yield* fail(404, `Project ${JSON.stringify(body.projectId)} does not exist`)
        } else {
          if (body.workspaceName === undefined)
            return yield* fail(400, "workspaceName or projectId is required", NO_WORKSPACE)
          if (body.projectName === undefined) return yield* fail(400, "projectName is required", NO_PROJECT_NAME)
          const workspace = yield* workspaceFor(info, body.workspaceName)
          const project = workspace.projects.find((p) => p.projectName === body.projectName)
          if (project === undefined)
            return yield* fail(
              404,
              `Project ${JSON.stringify(`${body.workspaceName}/${body.projectName}`)} does not exist`
            )
          found = { project, workspace }
        }
        const { project, workspace } = found
        const experimentKeys = store
          .experimentsOf(project, body.archived)
          .filter((experiment) => evaluate(body.predicates, store.record({ experiment, project, workspace })))
          .map((e) => e.experimentKey)
        return json({ experimentKeys })
      })
    )
  )

  return {
    router: HttpRouter.concatAll(general, experimentReads, contentReads, assetReads, query),
    /** The method a path is served with, if it is served at all. */
    methodOf: (path: string): string | undefined => methods.get(path.replace(/\/+$/, ""))
  }
}
