/**
 * `CometApi`: every read method of Comet's Python Panels `API`, as an Effect service whose
 * methods fail with typed `CometError`s. Built from `CometHttp` and the query package; fewer
 * requests than the Python SDK for the same results (queries resolve experiments with one
 * list call, chart fetches are chunked and batched, lookups dedupe).
 *
 * @since 0.1.0
 */
import type { CometConfig, ConfigurationError, ResolvedConfig } from "@comet-ts/core"
import { type CometHttp, type CometHttpShape, RequestStats } from "@comet-ts/http"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { makeCometApi } from "./internal/api.js"
import { checkApiSettings } from "./internal/arguments.js"
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
 * surrounding `Scope`. Settings of a name it does not have (`chartChunkSiz`), or of the wrong
 * runtime type, fail with the `ConfigurationError` naming them.
 *
 * @since 0.1.0
 */
export const make = (
  settings: CometApiSettings = {}
): Effect.Effect<CometApiShape, ConfigurationError, CometHttp | RequestStats | Scope.Scope> =>
  Effect.flatMap(
    Effect.suspend(() => checkApiSettings(settings)),
    (checked) => makeChecked(checked)
  )

/**
 * `CometHttp`'s and `CometConfig`'s tags without the classes' statics (their layers and sources,
 * which the facade's bundle would otherwise carry, all of them: a class's statics are never
 * tree-shaken), found by the classes' keys (a test pins them).
 */
const httpService = Context.GenericTag<CometHttp, CometHttpShape>("@comet-ts/http/CometHttp")
const configService = Context.GenericTag<CometConfig, ResolvedConfig>("@comet-ts/core/CometConfig")

/** The service from checked settings. */
const makeChecked = (
  settings: CometApiSettings
): Effect.Effect<CometApiShape, never, CometHttp | RequestStats | Scope.Scope> =>
  Effect.gen(function* () {
    const http = yield* httpService
    const stats = yield* RequestStats
    return makeCometApi(http, stats, settings, yield* Effect.scope)
  })

/**
 * The service as a Layer, with explicit settings (checked as {@link make} checks them).
 *
 * @since 0.1.0
 */
export const layer = (
  settings: CometApiSettings = {}
): Layer.Layer<CometApi, ConfigurationError, CometHttp | RequestStats> => Layer.scoped(CometApi, make(settings))

/**
 * The service as a Layer whose defaults (workspace, project) come from `CometConfig`; the other
 * settings are checked as {@link make} checks them.
 *
 * @since 0.1.0
 */
export const layerConfigWith = (
  settings: Omit<CometApiSettings, "workspace" | "projectName"> = {}
): Layer.Layer<CometApi, ConfigurationError, CometHttp | RequestStats | CometConfig> =>
  Layer.scoped(
    CometApi,
    Effect.gen(function* () {
      const checked = yield* Effect.suspend(() => checkApiSettings(settings, true))
      const config = yield* configService
      return yield* makeChecked({ ...checked, workspace: config.workspace, projectName: config.projectName })
    })
  )

/**
 * The service as a Layer whose defaults (workspace, project) come from `CometConfig`.
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<CometApi, never, CometHttp | RequestStats | CometConfig> =
  /* @__PURE__ */ Layer.scoped(
    CometApi,
    /* @__PURE__ */ Effect.gen(function* () {
      const config = yield* configService
      return yield* makeChecked({ workspace: config.workspace, projectName: config.projectName })
    })
  )
