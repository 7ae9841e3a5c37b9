/**
 * `CometApi`: every read method of Comet's Python Panels `API`, as an Effect service whose
 * methods fail with typed `CometError`s. Built from `CometHttp` and the query package; fewer
 * requests than the Python SDK for the same results (queries resolve experiments with one
 * list call, chart fetches are chunked and batched, lookups dedupe).
 *
 * @since 0.1.0
 */
import { CometConfig } from "@comet-ts/core"
import { CometHttp, RequestStats } from "@comet-ts/http"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { makeCometApi } from "./internal/api.js"
import type { CometApiSettings } from "./internal/options.js"
import { CometApi, type CometApiShape } from "./internal/service.js"

export type { ExperimentReads, ExperimentState } from "./internal/experimentReads.js"
export type {
  AssetOptions,
  AssetResult,
  ChartOptions,
  CometApiSettings,
  OrStrategy,
  ProjectLocation,
  QueryOptions,
  ReturnType,
  SummaryKind
} from "./internal/options.js"
export {
  CometApi,
  type CometApiShape,
  type GetExperimentMethod,
  type GetMethod,
  type GetProjectNotesMethod,
  type GetResult
} from "./internal/service.js"

/**
 * Build the service from `CometHttp` and `RequestStats`; its batching fibers live in the
 * surrounding `Scope`.
 *
 * @since 0.1.0
 */
export const make = (
  settings: CometApiSettings = {}
): Effect.Effect<CometApiShape, never, CometHttp | RequestStats | Scope.Scope> =>
  Effect.gen(function* () {
    const http = yield* CometHttp
    const stats = yield* RequestStats
    return makeCometApi(http, stats, settings, yield* Effect.scope)
  })

/**
 * The service as a Layer, with explicit settings.
 *
 * @since 0.1.0
 */
export const layer = (settings: CometApiSettings = {}): Layer.Layer<CometApi, never, CometHttp | RequestStats> =>
  Layer.scoped(CometApi, make(settings))

/**
 * The service as a Layer whose defaults (workspace, project) come from `CometConfig`.
 *
 * @since 0.1.0
 */
export const layerConfigWith = (
  settings: Omit<CometApiSettings, "workspace" | "projectName"> = {}
): Layer.Layer<CometApi, never, CometHttp | RequestStats | CometConfig> =>
  Layer.scoped(
    CometApi,
    Effect.gen(function* () {
      const config = yield* CometConfig
      return yield* make({ ...settings, workspace: config.workspace, projectName: config.projectName })
    })
  )

/**
 * The service as a Layer whose defaults (workspace, project) come from `CometConfig`.
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<CometApi, never, CometHttp | RequestStats | CometConfig> =
  /* @__PURE__ */ layerConfigWith()
