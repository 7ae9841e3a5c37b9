/**
 * `PanelContext`: what a Comet Panel runs against — its experiment keys, its options, its
 * project and workspace — as an injectable service. Provide it from explicit values, from the
 * environment or a JSON file (as the Python SDK reads `COMET_EXPERIMENT_KEYS`,
 * `COMET_PANEL_OPTIONS`, `COMET_WORKSPACE`, `COMET_PROJECT_NAME`), or derive it from a project
 * and an optional query. In Effect code, a program that calls panel methods without a
 * PanelContext does not compile.
 *
 * @since 0.1.0
 */
import { type CometError, ConfigurationError, InvalidArgument } from "@comet-ts/core"
// CometConfig's function, not the class: its statics (every layer and source) are never tree-shaken
import { processSources } from "@comet-ts/core/CometConfig"
import type { Query } from "@comet-ts/query"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { checkTestPanelValues, panelValuesOf } from "./internal/arguments.js"
import { PanelContext, type PanelContextShape } from "./internal/panelService.js"
import { CometApi } from "./internal/service.js"
import { isRecord } from "./internal/values.js"

export { PanelContext, type PanelContextShape } from "./internal/panelService.js"

/**
 * Explicit panel values. Keys left out are derived: the experiment keys from the project (and
 * `query`, when given), the project id from workspace and project name.
 *
 * @since 0.1.0
 */
export interface PanelValues {
  readonly experimentKeys?: ReadonlyArray<string> | undefined
  readonly options?: Readonly<Record<string, unknown>> | undefined
  readonly projectId?: string | undefined
  readonly projectName?: string | undefined
  readonly workspace?: string | undefined
  /** A query (value or Python-syntax text) selecting the panel's experiments in the project. */
  readonly query?: Query | string | undefined
}

const missing = (what: string) =>
  new ConfigurationError({
    setting: "panel",
    reason: `the panel context has no ${what}. Provide it (Panel.layer({ ... }) in Effect code, new API({ panel: { ... } }), or COMET_WORKSPACE / COMET_PROJECT_NAME / COMET_EXPERIMENT_KEYS).`
  })

/**
 * Build a context from explicit values, deriving what is left out through `CometApi`. A name
 * the values do not have (`projectNme`), an inherited or symbol one, or values that are no
 * object of values, fail with the `ConfigurationError` naming it (`panel.projectNme`).
 *
 * @since 0.1.0
 */
export const make = (values: PanelValues): Effect.Effect<PanelContextShape, ConfigurationError, CometApi> =>
  Effect.suspend(() => {
    // a misspelt value (`projectNme`) would be dropped, and the context derived without it;
    // the values are read once (a getter runs once: what is checked is what is used)
    const read = panelValuesOf(values)
    return Either.isRight(read) ? makeChecked(read.right as PanelValues) : Effect.fail(read.left)
  })

/** A context from values whose names are checked. */
const makeChecked = (values: PanelValues): Effect.Effect<PanelContextShape, never, CometApi> =>
  Effect.gen(function* () {
    const api = yield* CometApi
    const workspace =
      values.workspace === undefined ? Effect.fail(missing("workspace")) : Effect.succeed(values.workspace)
    const projectName =
      values.projectName === undefined ? Effect.fail(missing("project name")) : Effect.succeed(values.projectName)
    const projectId = yield* Effect.cached(
      values.projectId !== undefined
        ? Effect.succeed(values.projectId)
        : Effect.gen(function* () {
            const project = yield* api.getProject(yield* workspace, yield* projectName)
            return project.projectId as string
          })
    )
    const experimentKeys = yield* Effect.cached(
      values.experimentKeys !== undefined
        ? Effect.succeed(values.experimentKeys)
        : Effect.gen(function* () {
            const ws = yield* workspace
            const proj = yield* projectName
            const experiments =
              values.query === undefined
                ? yield* api.getExperiments(ws, proj)
                : yield* api.query(ws, proj, values.query)
            return experiments.map((e) => e.key as string)
          })
    )
    return {
      experimentKeys,
      explicitKeys: values.experimentKeys !== undefined,
      options: values.options ?? {},
      projectId,
      projectName,
      workspace
    }
  })

/**
 * A PanelContext from explicit values.
 *
 * @since 0.1.0
 */
export const layer = (values: PanelValues): Layer.Layer<PanelContext, ConfigurationError, CometApi> =>
  Layer.effect(PanelContext, make(values))

/**
 * A PanelContext derived from a project and an optional query: the panel's experiments are the
 * query's matches, or all of the project's experiments.
 *
 * @since 0.1.0
 */
export const layerFromProject = (
  workspace: string,
  projectName: string,
  query?: Query | string
): Layer.Layer<PanelContext, never, CometApi> =>
  Layer.effect(PanelContext, makeChecked({ workspace, projectName, query }))

const parseJson = (setting: string, text: string): Effect.Effect<unknown, InvalidArgument> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (e) =>
      new InvalidArgument({ argument: setting, value: text.slice(0, 80), reason: `not valid JSON (${String(e)})` })
  })

const asKeys = (setting: string, u: unknown): Effect.Effect<ReadonlyArray<string>, InvalidArgument> =>
  Array.isArray(u) && u.every((k): k is string => typeof k === "string")
    ? Effect.succeed(u)
    : Effect.fail(
        new InvalidArgument({
          argument: setting,
          value: JSON.stringify(u).slice(0, 80),
          reason: "expected a list of experiment keys"
        })
      )

/**
 * Read panel values from a JSON object (`{ experimentKeys, options, projectId, projectName,
 * workspace, query }`, `query` in Python syntax).
 *
 * @since 0.1.0
 */
export const valuesFromJson = (u: unknown, source = "panel context"): Effect.Effect<PanelValues, InvalidArgument> =>
  Effect.gen(function* () {
    if (!isRecord(u)) {
      return yield* Effect.fail(
        new InvalidArgument({ argument: source, value: String(u), reason: "expected a JSON object" })
      )
    }
    const str = (k: string): string | undefined => (typeof u[k] === "string" ? (u[k] as string) : undefined)
    const options = u.options
    if (options !== undefined && !isRecord(options)) {
      return yield* Effect.fail(
        new InvalidArgument({
          argument: `${source}.options`,
          value: JSON.stringify(options),
          reason: "expected a JSON object"
        })
      )
    }
    return {
      experimentKeys:
        u.experimentKeys === undefined ? undefined : yield* asKeys(`${source}.experimentKeys`, u.experimentKeys),
      options: options ?? undefined,
      projectId: str("projectId"),
      projectName: str("projectName"),
      workspace: str("workspace"),
      query: str("query")
    }
  })

/**
 * Panel values from an environment: `COMET_PANEL_CONTEXT` (a JSON file path), else
 * `COMET_EXPERIMENT_KEYS` (JSON list or comma-separated), `COMET_PANEL_OPTIONS` (JSON),
 * `COMET_PROJECT_ID`, `COMET_PROJECT_NAME`, `COMET_WORKSPACE`. Returns `undefined` when the
 * environment names no panel at all.
 *
 * @since 0.1.0
 */
export const valuesFromEnv = (
  env: (name: string) => string | undefined,
  readFile: (path: string) => string | undefined
): Effect.Effect<PanelValues | undefined, CometError> =>
  Effect.gen(function* () {
    const file = env("COMET_PANEL_CONTEXT")
    if (file !== undefined && file.length > 0) {
      const text = readFile(file)
      if (text === undefined) {
        return yield* Effect.fail(
          new ConfigurationError({
            setting: "COMET_PANEL_CONTEXT",
            reason: `cannot read the file ${JSON.stringify(file)}.`
          })
        )
      }
      return yield* valuesFromJson(yield* parseJson("COMET_PANEL_CONTEXT", text), file)
    }
    const rawKeys = env("COMET_EXPERIMENT_KEYS")
    const rawOptions = env("COMET_PANEL_OPTIONS")
    const workspace = env("COMET_WORKSPACE")
    const projectName = env("COMET_PROJECT_NAME")
    const projectId = env("COMET_PROJECT_ID")
    if (rawKeys === undefined && rawOptions === undefined && (workspace === undefined || projectName === undefined)) {
      return undefined
    }
    const experimentKeys =
      rawKeys === undefined
        ? undefined
        : rawKeys.trim().startsWith("[")
          ? yield* asKeys("COMET_EXPERIMENT_KEYS", yield* parseJson("COMET_EXPERIMENT_KEYS", rawKeys))
          : rawKeys
              .split(",")
              .map((k) => k.trim())
              .filter((k) => k.length > 0)
    const options = rawOptions === undefined ? undefined : yield* parseJson("COMET_PANEL_OPTIONS", rawOptions)
    if (options !== undefined && !isRecord(options)) {
      return yield* Effect.fail(
        new InvalidArgument({
          argument: "COMET_PANEL_OPTIONS",
          value: rawOptions ?? "",
          reason: "expected a JSON object"
        })
      )
    }
    return { experimentKeys, options, workspace, projectName, projectId }
  })

/**
 * The process environment and file reader: core's `processSources()` (found without
 * a static Node import; nothing in a browser).
 */
export const processEnv = (): {
  readonly env: (name: string) => string | undefined
  readonly readFile: (path: string) => string | undefined
} => {
  const { env, readFile } = processSources()
  return { env, readFile }
}

/**
 * A PanelContext from the process environment (see {@link valuesFromEnv}); fails with a
 * ConfigurationError when the environment names no panel.
 *
 * @since 0.1.0
 */
export const layerFromEnv: Layer.Layer<PanelContext, CometError, CometApi> = /* @__PURE__ */ Layer.effect(
  PanelContext,
  /* @__PURE__ */ Effect.gen(function* () {
    const { env, readFile } = processEnv()
    const values = yield* valuesFromEnv(env, readFile)
    if (values === undefined) return yield* Effect.fail(missing("experiments, workspace or project"))
    return yield* make(values)
  })
)

/**
 * A PanelContext from a JSON file (`{ experimentKeys, options, projectId, projectName,
 * workspace, query }`).
 *
 * @since 0.1.0
 */
export const layerFromFile = (path: string): Layer.Layer<PanelContext, CometError, CometApi> =>
  Layer.effect(
    PanelContext,
    Effect.gen(function* () {
      const text = processEnv().readFile(path)
      if (text === undefined) {
        return yield* Effect.fail(
          new ConfigurationError({
            setting: "panel",
            reason: `cannot read the panel context file ${JSON.stringify(path)}.`
          })
        )
      }
      return yield* make(yield* valuesFromJson(yield* parseJson(path, text), path))
    })
  )

/**
 * A PanelContext whose every member fails with a ConfigurationError saying why there is none
 * (used by the Promise facade when no panel is configured).
 *
 * @since 0.1.0
 */
export const layerUnavailable = (reason: string): Layer.Layer<PanelContext> =>
  unavailable(new ConfigurationError({ setting: "panel", reason }))

/** A PanelContext whose every member fails with `error`. */
const unavailable = (error: ConfigurationError): Layer.Layer<PanelContext> => {
  const fail = Effect.fail(error)
  return Layer.succeed(PanelContext, {
    experimentKeys: fail,
    explicitKeys: false,
    options: {},
    projectId: fail,
    projectName: fail,
    workspace: fail
  })
}

/**
 * A fixed PanelContext for tests: keys, options, project and workspace as given, no lookups.
 * Values from JavaScript are checked: a name they do not have (`experimentKey`, `project_name`),
 * an inherited or symbol one, values that are no object of values, or a value of the wrong type
 * (`experimentKeys: "k"`, missing) give a context whose keys, project and workspace fail with the
 * ConfigurationError naming it (`panel.experimentKey`) — as a context missing a value fails
 * when that value is read — never one built from values it dropped.
 *
 * @since 0.1.0
 */
export const layerTest = (values: {
  readonly experimentKeys: ReadonlyArray<string>
  readonly options?: Readonly<Record<string, unknown>> | undefined
  readonly projectId?: string | undefined
  readonly projectName?: string | undefined
  readonly workspace?: string | undefined
}): Layer.Layer<PanelContext> => {
  const checked = checkTestPanelValues(values)
  return Either.isLeft(checked) ? unavailable(checked.left) : layerTestChecked(checked.right)
}

const layerTestChecked = (values: {
  readonly experimentKeys: ReadonlyArray<string>
  readonly options?: Readonly<Record<string, unknown>> | undefined
  readonly projectId?: string | undefined
  readonly projectName?: string | undefined
  readonly workspace?: string | undefined
}): Layer.Layer<PanelContext> =>
  Layer.succeed(PanelContext, {
    experimentKeys: Effect.succeed(values.experimentKeys),
    explicitKeys: true,
    options: values.options ?? {},
    projectId: values.projectId === undefined ? Effect.fail(missing("project id")) : Effect.succeed(values.projectId),
    projectName:
      values.projectName === undefined ? Effect.fail(missing("project name")) : Effect.succeed(values.projectName),
    workspace: values.workspace === undefined ? Effect.fail(missing("workspace")) : Effect.succeed(values.workspace)
  })
