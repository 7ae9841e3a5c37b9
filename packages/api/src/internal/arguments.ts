/**
 * The arguments of every `CometApi` method, declared once per method as Schemas, and
 * {@link guard}: the `CometApi` boundary that checks them. Plain-JavaScript callers, `any` and
 * `string | null` values (`APIExperiment.name`) reach the service with wrong runtime types;
 * each is an `InvalidArgument` naming the argument (`metrics`, `options.signal`,
 * `experiments[3]`), never a `TypeError`. `null` for an optional argument (Python's `None`) is
 * read as "not given". The checks of values (an empty key, an invalid regex, a return type) stay
 * with the methods that own them.
 *
 * @internal
 */
import {
  type CometError,
  type CometOptions,
  CometOptionTypes,
  ConfigurationError,
  InvalidArgument
} from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { ExperimentReads } from "./experimentReads.js"
import type { AssetOptions, ChartOptions, CometApiSettings, ProjectLocation, QueryOptions } from "./options.js"
import { type Method, names, options, ProjectName, QueryInput, signatures, text, Workspace } from "./signatures.js"
import { isRecord } from "./values.js"

export type { Method } from "./signatures.js"
export { signatures } from "./signatures.js"

/** The InvalidArgument of a value that does not fit its parameter. */
const invalid = (param: string, p: Inputs.Problem): InvalidArgument =>
  new InvalidArgument({
    argument: p.path.length === 0 ? param : p.path.startsWith("[") ? `${param}${p.path}` : `${param}.${p.path}`,
    value: p.value,
    reason: Inputs.reason(p)
  })

/**
 * A method's arguments checked against its declaration: the values to call it with (optional
 * ones given as `null` read as `undefined`; arguments past the declared ones dropped), or the
 * InvalidArgument of the first that does not fit.
 */
export const checkArguments = (
  method: Method,
  args: ReadonlyArray<unknown>
): Either.Either<ReadonlyArray<unknown>, InvalidArgument> => {
  const params = signatures[method].params
  const out: Array<unknown> = []
  for (let i = 0; i < params.length; i++) {
    const param = params[i] as (typeof params)[number]
    let value = args[i]
    if (param.optional && (value === undefined || value === null)) {
      out.push(undefined)
      continue
    }
    if (param.name === "options" || param.name === "location") {
      const given = snapshotOf(param.name, value)
      if (Either.isLeft(given)) return Either.left(given.left)
      value = given.right
    }
    const checked = Inputs.check(param.schema, value)
    if (Either.isLeft(checked)) return Either.left(invalid(param.name, checked.left))
    out.push(checked.right)
  }
  return Either.right(out)
}

/** The configured workspace and project (`new API({ workspace, projectName })`, COMET_WORKSPACE, COMET_PROJECT_NAME). */
export interface LocationDefaults {
  readonly workspace?: string | null | undefined
  readonly projectName?: string | null | undefined
}

/**
 * Which arguments of a method the configured defaults stand in for when left out (`undefined` or
 * `null`): `project` — workspace and project (both needed, unless a project id is given third);
 * `workspace` — the workspace; `scope` — when the workspace is left out, the configured workspace
 * and (if any) project; a given workspace with no project still means "every project", as in
 * comet_ml. `get()` keeps comet_ml's meaning (no arguments: the workspaces).
 */
const locatedBy: Partial<Record<Method, "project" | "workspace" | "scope" | "located">> = {
  getProjects: "workspace",
  listProjects: "workspace",
  getProject: "project",
  getProjectColumns: "project",
  getQueryVariables: "project",
  getProjectExperiments: "project",
  getProjectNotes: "located",
  getExperiment: "located",
  getExperiments: "scope",
  getArchivedExperiments: "scope",
  streamExperiments: "scope",
  query: "project",
  queryProject: "project"
}

const absent = (u: unknown): boolean => u === undefined || u === null

/** The InvalidArgument of a workspace or project left out with no default configured. */
const noDefault = (argument: "workspace" | "projectName"): InvalidArgument =>
  new InvalidArgument({
    argument,
    value: "",
    reason:
      argument === "workspace"
        ? "no workspace was given and none is configured: pass one, or set the `workspace` option (new API({ workspace })) or COMET_WORKSPACE."
        : "no project name was given and none is configured: pass one, or set the `projectName` option (new API({ projectName })) or COMET_PROJECT_NAME."
  })

/**
 * A method's arguments with the configured workspace and project in the places left out, or the
 * InvalidArgument naming the option to set when a needed one is configured nowhere.
 */
export const withLocationDefaults = (
  method: Method,
  args: ReadonlyArray<unknown>,
  defaults: LocationDefaults
): Either.Either<ReadonlyArray<unknown>, InvalidArgument> => {
  const kind = locatedBy[method]
  if (kind === undefined) return Either.right(args)
  const out = [...args]
  const fill = (i: number, name: "workspace" | "projectName"): InvalidArgument | undefined => {
    if (!absent(out[i])) return undefined
    const value = defaults[name]
    if (value === undefined || value === null) return noDefault(name)
    out[i] = value
    return undefined
  }
  const problem =
    kind === "workspace"
      ? fill(0, "workspace")
      : kind === "project"
        ? method === "query" || method === "queryProject" || absent(out[2])
          ? (fill(0, "workspace") ?? fill(1, "projectName"))
          : undefined
        : !absent(out[0])
          ? undefined
          : kind === "located"
            ? (fill(0, "workspace") ?? fill(1, "projectName"))
            : (fill(0, "workspace") ?? (absent(defaults.projectName) ? undefined : fill(1, "projectName")))
  return problem === undefined ? Either.right(out) : Either.left(problem)
}

const guarded = new WeakSet<object>()

/**
 * `api` with every method in `methods` checking its arguments first: a wrong one fails the
 * Effect (or the Stream) with an InvalidArgument and the method is not called. Guarding a
 * guarded object returns it as is.
 */
export const guard = <T extends object>(api: T, methods: ReadonlyArray<Method>, defaults: LocationDefaults = {}): T => {
  if (guarded.has(api)) return api
  const out: Record<string, unknown> = {}
  for (const name of methods) {
    const returns = signatures[name].returns
    // a method no configured default stands in for is checked as given (no step for the defaults)
    const located = locatedBy[name] !== undefined
    out[name] = (...args: ReadonlyArray<unknown>): unknown => {
      const checked = located
        ? Either.flatMap(withLocationDefaults(name, args, defaults), (filled) => checkArguments(name, filled))
        : checkArguments(name, args)
      if (Either.isLeft(checked)) {
        return returns === "stream" ? Stream.fail(checked.left) : Effect.fail(checked.left)
      }
      const method: unknown = Reflect.get(api, name)
      if (typeof method !== "function") {
        return (returns === "stream" ? Stream.dieMessage : Effect.dieMessage)(`CometApi.${name} is not a function`)
      }
      return Reflect.apply(method, api, checked.right)
    }
  }
  // the rest (`baseUrl`) as is; a Proxy (a mock) may answer it without owning it
  for (const key of [...Reflect.ownKeys(api), "baseUrl"]) {
    if (typeof key === "string" && !(key in out) && Reflect.get(api, key) !== undefined)
      out[key] = Reflect.get(api, key)
  }
  guarded.add(out)
  return out as T
}

/** Every method of the service. */
export const serviceMethods = Object.keys(signatures) as ReadonlyArray<Method>

/** The per-experiment reads (what an `Experiment` calls). */
export const readMethods = (reads: ExperimentReads): ReadonlyArray<Method> => serviceMethods.filter((m) => m in reads)

/** `CometApi` with every method guarded. */
export const guardApi = <T extends object>(api: T, defaults?: LocationDefaults): T =>
  guard(api, serviceMethods, defaults)

/**
 * Run `f` with a method's arguments checked against its declaration, or fail with the
 * InvalidArgument of the first that does not fit (for methods built on a declared one).
 */
export const withArguments = <A>(
  method: Method,
  args: ReadonlyArray<unknown>,
  f: (checked: ReadonlyArray<unknown>) => Effect.Effect<A, CometError>
): Effect.Effect<A, CometError> =>
  Effect.suspend(() => Either.match(checkArguments(method, args), { onLeft: Effect.fail, onRight: f }))

const isAbortSignal = (u: unknown): u is AbortSignal => {
  try {
    return (
      typeof u === "object" &&
      u !== null &&
      typeof Reflect.get(u, "aborted") === "boolean" &&
      typeof Reflect.get(u, "addEventListener") === "function" &&
      typeof Reflect.get(u, "removeEventListener") === "function"
    )
  } catch {
    return false
  }
}

/** A deadline in ms (`callTimeoutMs`): a positive finite number. */
const Milliseconds = Inputs.refined(
  (u): u is number => typeof u === "number" && Number.isFinite(u) && u > 0,
  "a positive number of milliseconds"
)

const CallOptions = options("an options object ({ signal?, callTimeoutMs? })", {
  signal: Inputs.refined(isAbortSignal, "an AbortSignal"),
  callTimeoutMs: Milliseconds
})

/** What every facade call reads of its trailing options. */
export interface CallOptionsChecked {
  readonly signal?: AbortSignal | undefined
  readonly callTimeoutMs?: number | undefined
}

/**
 * The facade's trailing options (`{ signal, callTimeoutMs }`, and the method's own options
 * besides): nothing, or an options object whose names are all names a call takes, whose
 * `signal`, when given, is an AbortSignal, and whose `callTimeoutMs` is a positive number of ms.
 * What passes is a snapshot (see {@link snapshotOf}): give it, not the caller's object, to the
 * method, whose boundary then checks only the types of its own options, on the snapshot.
 */
export const checkCallOptions = (
  value: unknown,
  apiKey?: string,
  method?: string
): Either.Either<CallOptionsChecked | undefined, InvalidArgument> =>
  Either.mapLeft(checkOptionsValue(value, apiKey), (e) => withKeywordHint(e, value, method))

/**
 * The methods whose Python form takes a keyword argument positionally where the facade takes its
 * trailing options (`get_experiment_asset_list(key, "image")`): the option it is here (the Python
 * keyword is its snake_case), so that a call ported as written is told which option to use.
 */
const POSITIONAL_KEYWORDS: Readonly<Record<string, string>> = {
  getExperimentAssetList: "assetType",
  getExperimentAsset: "returnType",
  getExperimentAssetByName: "returnType",
  getAsset: "returnType",
  getAssetByName: "returnType",
  getExperimentName: "maxLength",
  getName: "maxLength",
  query: "archived",
  queryProject: "archived",
  getMetricsForChart: "independentMetrics",
  getPanelMetricsNames: "includeSys"
}

/** A primitive where `method` takes its options, as Python passes that keyword: the error names the option. */
const withKeywordHint = (e: InvalidArgument, value: unknown, method: string | undefined): InvalidArgument => {
  const option = method === undefined ? undefined : POSITIONAL_KEYWORDS[method]
  const primitive = typeof value === "string" || typeof value === "number" || typeof value === "boolean"
  if (option === undefined || !primitive || e.argument !== "options") return e
  // the Python keyword is the option in snake_case (asset_type, independent_metrics)
  const python = option.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
  const shown = typeof value === "string" ? JSON.stringify(e.value) : e.value
  return new InvalidArgument({
    argument: e.argument,
    value: e.value,
    reason: `${e.reason.replace(/\.$/, "")}; Python's positional ${python} is the option ${option} here: ${method}(…, { ${option}: ${shown} })`
  })
}

const checkOptionsValue = (
  value: unknown,
  apiKey?: string
): Either.Either<CallOptionsChecked | undefined, InvalidArgument> =>
  value === undefined || value === null
    ? Either.right(undefined)
    : typeof value === "object" && Snapshot.is(value) && Snapshot.callChecked(value)
      ? Either.right(value as CallOptionsChecked)
      : Either.flatMap(snapshotOf("options", value, apiKey), (snapshot) =>
          Either.match(Inputs.check(CallOptions, snapshot), {
            onLeft: (p) => Either.left(invalid("options", p)),
            onRight: () => {
              if (typeof snapshot === "object" && snapshot !== null && Snapshot.is(snapshot))
                Snapshot.markCallChecked(snapshot)
              return Either.right(snapshot as CallOptionsChecked)
            }
          })
        )

/**
 * A snapshot {@link snapshotOf} made: its names are checked, and it holds data properties only.
 * Marked by its class (a brand check of a private field, not a WeakSet: registering every
 * call's snapshot in a WeakSet cost about a microsecond a call), and by whether
 * {@link checkCallOptions} checked its `signal` and `callTimeoutMs` (a private field, which
 * freezing leaves writable).
 */
class Snapshot {
  #callChecked = false
  /** Whether `u` is a snapshot (a brand check: it runs no trap of a Proxy, no getter). */
  static is(u: object): u is Snapshot {
    return #callChecked in u
  }
  static callChecked(s: Snapshot): boolean {
    return s.#callChecked
  }
  static markCallChecked(s: Snapshot): void {
    s.#callChecked = true
  }
}

/**
 * A call's options object read once: its names checked (an unknown, misspelt, symbol or
 * inherited one, names that cannot be read, or no options object at all — a Map, an array, a
 * Promise — is the InvalidArgument naming it), then its own properties of known names copied
 * into a frozen plain object, each read once (null and undefined ones left out: not given). The facade and the method's boundary both check
 * the snapshot, so a getter runs once and both see the same values; a snapshot given again
 * is returned as is. A value that is no object is returned as given (the type check reports it).
 */
export const snapshotOf = (param: string, value: unknown, apiKey?: string): Either.Either<unknown, InvalidArgument> => {
  if (typeof value !== "object" || value === null || Snapshot.is(value)) return Either.right(value)
  const unknown = unknownCallOption(param, value, apiKey)
  if (unknown !== null) return Either.left(unknown)
  const copy = new Snapshot() as unknown as Record<string, unknown>
  try {
    for (const name of CALL_OPTION_NAMES) {
      if (!Object.hasOwn(value, name)) continue
      const v: unknown = Reflect.get(value, name)
      // null and undefined are "not given" for every option (each is optionalOrNull): left out,
      // so what reads the snapshot after its check (the runner's `signal`) never meets a null
      if (v !== undefined && v !== null) copy[name] = v
    }
  } catch (e) {
    return Either.left(
      new InvalidArgument({
        argument: param,
        value: "(unreadable)",
        reason: `cannot be read (${e instanceof Error ? e.name : "an exception"} while reading it): pass a plain object.`
      })
    )
  }
  return Either.right(Object.freeze(copy))
}

/**
 * Every name a call's trailing options object may hold: `signal` and `callTimeoutMs`, and the
 * methods' own options (complete by type). One set for every method, so a name another method
 * takes passes, and a misspelt one — `{ full: true }`, `{ fetch_full }` — is refused rather than
 * dropped into a silently different result (the ~500-point sample instead of every point).
 */
const CALL_OPTION_NAMES: ReadonlyArray<string> = Object.keys({
  signal: true,
  callTimeoutMs: true,
  returnType: true,
  assetType: true,
  independentMetrics: true,
  fetchFull: true,
  onProgress: true,
  archived: true,
  orStrategy: true,
  includeSys: true,
  maxLength: true,
  workspace: true,
  projectName: true
} satisfies Record<
  | keyof CallOptionsChecked
  | keyof AssetOptions
  | keyof ChartOptions
  | keyof QueryOptions
  | keyof ProjectLocation
  | "assetType"
  | "includeSys"
  | "maxLength",
  true
>)

/**
 * The InvalidArgument for a name of an options object that no call takes (see
 * `Inputs.unknownArgument`), or null; `apiKey` (the facade's, before its layer holds it for
 * scrubbing) is masked in the name.
 */
const unknownCallOption = (param: string, value: unknown, apiKey?: string): InvalidArgument | null =>
  Inputs.unknownArgument(value, CALL_OPTION_NAMES, "any call", param, true, apiKey)

const PanelValues = options(
  "panel values ({ workspace?, projectName?, projectId?, experimentKeys?, options?, query? })",
  {
    experimentKeys: names("experiment key"),
    options: Inputs.refined(isRecord, "an object"),
    projectId: text("a project id"),
    projectName: ProjectName,
    workspace: Workspace,
    query: QueryInput
  }
)

const positiveInteger = Schema.Number.pipe(Schema.int(), Schema.positive()).annotations({
  description: "a positive integer"
})

/** The runtime types of `new API(options)`: core's configuration options and the facade's own. */
const ApiOptions = Schema.Struct({
  ...CometOptionTypes.fields,
  panel: Inputs.optionalOrNull(
    Schema.Union(Schema.Literal("env", false), Schema.Struct({ file: text("a path") }), PanelValues).annotations({
      description: '"env", false, { file }, or panel values'
    })
  ),
  httpClient: Inputs.optionalOrNull(
    Inputs.refined((u): u is Layer.Layer<never> => Layer.isLayer(u), "an HttpClient Layer")
  ),
  http: Inputs.optionalOrNull(Inputs.refined(isRecord, "transport settings ({ cache?, retryBudget?, … })")),
  chartChunkSize: Inputs.optionalOrNull(positiveInteger),
  orStrategy: Inputs.optionalOrNull(Schema.Literal("nested", "dnf").annotations({ description: '"nested" or "dnf"' })),
  callTimeoutMs: Inputs.optionalOrNull(Milliseconds)
}).annotations({ description: "an options object" })

/**
 * The options of `new API(...)` with their runtime types checked (`null` read as "not given"),
 * or the ConfigurationError naming the first that does not fit. Values are checked where they
 * are resolved (`CometConfig.resolve`, the transport's settings).
 */
export const checkApiOptions = <O extends CometOptions>(
  value: O | null | undefined
): Either.Either<O, ConfigurationError> =>
  // read once (a getter runs once, what is checked is what is used): as Python's API(...)
  // refuses an unknown keyword, a misspelt option (`baseURL`, `api_key`) is refused as the
  // options are read (it would otherwise be dropped and the key sent to the default server; the
  // key, read with them, is masked in the name); then the types. (The http settings' names are
  // checked by the transport's layer, CometHttp's, as for Effect users.) A value that is no
  // object at all is told by the type check.
  Either.flatMap(
    typeof value === "object" && value !== null
      ? Inputs.settingsOf(value, API_OPTION_NAMES, "new API(...)", { keyName: "apiKey", ownOnly: true })
      : typeof value === "string"
        ? // Python's API(api_key) takes the key positionally; the key is not echoed
          Either.left(
            new ConfigurationError({
              setting: "options",
              reason:
                "must be an options object, not a string; Python's positional api_key is the option apiKey here: new API({ apiKey })"
            })
          )
        : Either.right(value ?? {}),
    (given) => checkApiValues<O>(given)
  )

/** The types of `new API(...)`'s options read once ({@link checkApiOptions}), and the names of its panel values. */
const checkApiValues = <O extends CometOptions>(given: object): Either.Either<O, ConfigurationError> =>
  Either.flatMap(
    Either.mapLeft(Inputs.check(ApiOptions, given), (p) => Inputs.settingError(p, "options")),
    (decoded) => {
      const apiKey = (decoded as { readonly apiKey?: unknown }).apiKey
      // the panel values as given (their names: the type check read only what it knows)
      const panel = Inputs.ownValue(given, "panel")
      const unknown =
        typeof panel === "object" && panel !== null
          ? Inputs.ownValue(panel, "file") !== undefined
            ? Inputs.unknownSetting(panel, ["file"], "the panel file option", { prefix: "panel.", apiKey })
            : unknownPanelValue(panel, apiKey)
          : null
      return unknown === null ? Either.right(decoded as O) : Either.left(unknown)
    }
  )

/** The names `new API(...)` reads (an unknown one is refused). */
const API_OPTION_NAMES: ReadonlyArray<string> = Object.keys(ApiOptions.fields)

/** The names of the panel values (`panel: { workspace, … }`). */
const PANEL_VALUE_NAMES: ReadonlyArray<string> = Object.keys(PanelValues.fields)

/**
 * The ConfigurationError (setting `panel.<name>`) of a name the panel values do not have
 * (`projectNme`), an inherited or symbol one, or values that are no object of values; or null.
 * `new API({ panel })` and `Panel.layer(values)` both refuse them.
 */
export const unknownPanelValue = (values: unknown, apiKey?: unknown): ConfigurationError | null =>
  Inputs.unknownSetting(values, PANEL_VALUE_NAMES, "the panel values", { prefix: "panel.", apiKey, ownOnly: true })

/**
 * The panel values read once into a snapshot (each value read once: what is checked is what is
 * used), or the ConfigurationError {@link unknownPanelValue} gives.
 */
export const panelValuesOf = <V extends object>(values: V): Either.Either<Partial<V>, ConfigurationError> =>
  Inputs.settingsOf(values, PANEL_VALUE_NAMES, "the panel values", { prefix: "panel.", ownOnly: true })

/** The runtime types of `Panel.layerTest`'s values: the panel values but `query`, `experimentKeys` required. */
const TestPanelValues = Schema.Struct({
  experimentKeys: names("experiment key"),
  options: Inputs.optionalOrNull(Inputs.refined(isRecord, "an object")),
  projectId: Inputs.optionalOrNull(text("a project id")),
  projectName: Inputs.optionalOrNull(ProjectName),
  workspace: Inputs.optionalOrNull(Workspace)
})

/**
 * `Panel.layerTest`'s values read once and checked: a name they do not have (`experimentKey`),
 * an inherited or symbol one, values that are no object of values, or a value of the wrong type
 * (`experimentKeys: "k"`, none) are the ConfigurationError naming it (`panel.experimentKey`).
 */
export const checkTestPanelValues = (values: unknown): Either.Either<typeof TestPanelValues.Type, ConfigurationError> =>
  Either.flatMap(
    Inputs.settingsOf(values as object | undefined, Object.keys(TestPanelValues.fields), "Panel.layerTest", {
      prefix: "panel.",
      ownOnly: true
    }),
    (given) =>
      Either.mapLeft(
        Inputs.check(TestPanelValues, given),
        (p) =>
          new ConfigurationError({
            setting: p.path.length === 0 ? "panel" : `panel.${p.path}`,
            reason: Inputs.reason(p)
          })
      )
  )

/**
 * The options of core's configuration (`CometConfig.layer`) among checked `new API(...)` options:
 * the facade's own (`panel`, `http`, …) are not CometConfig's, and CometConfig refuses names it
 * does not have.
 */
export const configOptions = (options: CometOptions): CometOptions =>
  Object.fromEntries(Object.entries(options).filter(([k]) => CONFIG_OPTION_NAMES.has(k))) as CometOptions

const CONFIG_OPTION_NAMES: ReadonlySet<string> = new Set(Object.keys(CometOptionTypes.fields))

/** The runtime types of `CometApi.layer(settings)` (`null` read as "not given"). */
const ApiSettings = Schema.Struct({
  workspace: Inputs.optionalOrNull(Workspace),
  projectName: Inputs.optionalOrNull(ProjectName),
  chartChunkSize: Inputs.optionalOrNull(positiveInteger),
  orStrategy: Inputs.optionalOrNull(Schema.Literal("nested", "dnf").annotations({ description: '"nested" or "dnf"' })),
  columnsTtlMillis: Inputs.optionalOrNull(
    // (a filter of its own: `Schema.nonNegative` would bring its schema ids and builders for this one check)
    Schema.Number.pipe(Schema.filter((n) => n >= 0)).annotations({ description: "a number of ms (0 or more)" })
  )
}).annotations({
  description: "settings ({ workspace?, projectName?, chartChunkSize?, orStrategy?, columnsTtlMillis? })"
})

/** The names of `CometApiSettings`, complete by type. */
export const API_SETTING_NAMES: ReadonlyArray<string> = Object.keys({
  workspace: true,
  projectName: true,
  chartChunkSize: true,
  orStrategy: true,
  columnsTtlMillis: true
} satisfies Record<keyof CometApiSettings, true>)

/** The `CometApiSettings` among a larger bag of options (`Testing.layerClient`'s). */
export const apiSettingsOf = (options: CometApiSettings): CometApiSettings =>
  Object.fromEntries(
    API_SETTING_NAMES.filter((n) => Object.hasOwn(options, n)).map((n) => [n, Reflect.get(options, n)])
  )

/** The names of `CometApi.layerConfigWith`'s settings. */
const CONFIG_API_SETTING_NAMES = API_SETTING_NAMES.filter((n) => n !== "workspace" && n !== "projectName")

/**
 * The settings of `CometApi.layer` / `make` / `layerConfigWith` checked: a name they do not have
 * (`chartChunkSiz`), an inherited one, a symbol name, settings that are no settings object (a
 * Map) or of the wrong runtime type are the ConfigurationError naming them, as `new API(...)`
 * refuses its options. The checked settings (nulls dropped), or that error.
 */
export const checkApiSettings = (
  settings: CometApiSettings | null | undefined,
  fromConfig = false
): Either.Either<CometApiSettings, ConfigurationError> => {
  const given = settings ?? {}
  // (layerConfigWith takes the workspace and project from CometConfig: given here, they would be dropped)
  const unknown = fromConfig
    ? Inputs.unknownSetting(given, CONFIG_API_SETTING_NAMES, "CometApi.layerConfigWith", {
        self: "settings",
        ownOnly: true
      })
    : Inputs.unknownSetting(given, API_SETTING_NAMES, "CometApi.layer", { self: "settings", ownOnly: true })
  if (unknown !== null) return Either.left(unknown)
  return Either.mapLeft(Inputs.check(ApiSettings, given), (p) => Inputs.settingError(p, "settings")) as Either.Either<
    CometApiSettings,
    ConfigurationError
  >
}
