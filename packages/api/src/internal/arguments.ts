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
  Inputs,
  InvalidArgument,
  Predicate as WirePredicate
} from "@comet-ts/core"
import { isQuery, type Query } from "@comet-ts/query"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { ExperimentReads } from "./experimentReads.js"

interface Param {
  readonly name: string
  readonly schema: Schema.Schema.AnyNoContext
  readonly optional: boolean
}

interface Signature {
  readonly returns: "effect" | "stream"
  readonly params: ReadonlyArray<Param>
}

const required = (name: string, schema: Schema.Schema.AnyNoContext): Param => ({ name, schema, optional: false })
const optional = (name: string, schema: Schema.Schema.AnyNoContext): Param => ({ name, schema, optional: true })

const text = (what: string) => Schema.String.annotations({ description: `${what} (a string)` })
const names = (what: string) => Schema.Array(text(what)).annotations({ description: `an array of ${what}s (strings)` })
const flag = Schema.Boolean.annotations({ description: "true or false" })
const number = Schema.Number.annotations({ description: "a number" })

/** An options object: every field optional, `null` read as absent, unknown fields ignored. */
const options = (description: string, fields: Readonly<Record<string, Schema.Schema.AnyNoContext>>) =>
  Schema.Struct(
    Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, Schema.optionalWith(s, { nullable: true })] as const))
  ).annotations({ description })

const Key = text("an experiment key")
const ReturnTypeText = text('"binary", "text" or "json"')
const Workspace = text("a workspace name")
const ProjectName = text("a project name")

const Experiments = Schema.Array(
  Schema.Union(Key, Schema.Struct({ key: Key })).annotations({
    description: "an experiment key (a string) or an experiment (an object with its key)"
  })
).annotations({ description: "an array of experiment keys or experiments" })

const ProgressCallback = Inputs.refined(
  (u): u is (done: number, total: number) => void => typeof u === "function",
  "a function (done, total) => void"
)

const ChartOptions = options("chart options ({ independentMetrics?, fetchFull?, onProgress? })", {
  independentMetrics: flag,
  fetchFull: flag,
  onProgress: ProgressCallback
})

const QueryValue = Inputs.refined((u): u is Query => isQuery(u), 'a Query value (Metric("loss").lt(0.1), …)')

const QueryInput = Schema.Union(text("a query in Python syntax"), QueryValue).annotations({
  description: "a query: Python-syntax text or a Query value"
})

/** How deep wire predicates may nest (Comet's query builder nests a few levels; the query parser allows 200). */
const MAX_PREDICATE_DEPTH = 200

const depthWithin = (root: unknown, limit: number): boolean => {
  const stack: Array<readonly [unknown, number]> = [[root, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as readonly [unknown, number]
    if (depth > limit) return false
    if (typeof node === "object" && node !== null) for (const v of Object.values(node)) stack.push([v, depth + 1])
  }
  return true
}

const isPredicates = Schema.is(Schema.Array(WirePredicate))

const WirePredicates = Inputs.refined(
  (u): u is ReadonlyArray<WirePredicate> =>
    Array.isArray(u) && depthWithin(u, MAX_PREDICATE_DEPTH * 3) && isPredicates(u),
  "an array of wire predicates ({ source, query: { condition, rules } })"
)

const PredicatesInput = Schema.Union(QueryValue, WirePredicates).annotations({
  description: "wire predicates ({ source, query }[]) or a Query value"
})

const project = [
  optional("workspace", Workspace),
  optional("projectName", ProjectName),
  optional("projectId", text("a project id"))
]
/** `(workspace, projectName?, experiment?)`, where the workspace may be a `"ws/proj/exp"` path. */
const located = (first: typeof required, experiment: string): ReadonlyArray<Param> => [
  first("workspace", text('a workspace name or a "workspace/project/experiment" path')),
  optional("projectName", ProjectName),
  optional(experiment, text("an experiment key or name"))
]
const keyOnly: Signature = { returns: "effect", params: [required("experimentKey", Key)] }
const none: Signature = { returns: "effect", params: [] }
const listing: Signature = {
  returns: "effect",
  params: [
    required("workspace", Workspace),
    optional("projectName", ProjectName),
    optional("pattern", text("a regular expression"))
  ]
}

/**
 * Every method's arguments, in order. One declaration per method; overloads share it (their
 * positions take the same types).
 */
export const signatures = {
  get: { returns: "effect", params: located(optional, "experiment") },
  getWorkspaces: none,
  getProjects: { returns: "effect", params: [required("workspace", Workspace)] },
  listProjects: { returns: "effect", params: [required("workspace", Workspace)] },
  getProject: { returns: "effect", params: project },
  getProjectColumns: { returns: "effect", params: project },
  getQueryVariables: { returns: "effect", params: project },
  getProjectExperiments: {
    returns: "effect",
    params: [required("workspace", Workspace), required("projectName", ProjectName)]
  },
  getProjectNotes: {
    returns: "effect",
    params: [required("projectId", text("a project id, or a workspace name")), optional("projectName", ProjectName)]
  },
  getExperiment: { returns: "effect", params: located(required, "experimentKey") },
  getExperimentByKey: keyOnly,
  getExperimentById: { returns: "effect", params: [required("experiment", Key)] },
  getExperimentByName: {
    returns: "effect",
    params: [
      required("experimentName", text("an experiment name")),
      optional(
        "location",
        options("a location ({ workspace?, projectName? })", { workspace: Workspace, projectName: ProjectName })
      )
    ]
  },
  getExperiments: listing,
  getArchivedExperiments: listing,
  streamExperiments: {
    returns: "stream",
    params: [required("workspace", Workspace), optional("projectName", ProjectName)]
  },
  getExperimentUrl: keyOnly,
  getMetricsForChart: {
    returns: "effect",
    params: [
      required("experiments", Experiments),
      optional("metrics", names("metric name")),
      optional("parameters", names("parameter name")),
      optional("options", ChartOptions)
    ]
  },
  query: {
    returns: "effect",
    params: [
      required("workspace", Workspace),
      required("projectName", ProjectName),
      required("query", QueryInput),
      optional(
        "options",
        options("query options ({ archived?, orStrategy? })", {
          archived: flag,
          orStrategy: Schema.Literal("nested", "dnf").annotations({ description: '"nested" or "dnf"' })
        })
      )
    ]
  },
  queryProject: {
    returns: "effect",
    params: [
      required("workspace", Workspace),
      required("projectName", ProjectName),
      required("predicates", PredicatesInput),
      optional("options", options("query options ({ archived? })", { archived: flag }))
    ]
  },
  getPanelExperimentKeys: none,
  getPanelExperiments: none,
  getPanelMetricsNames: {
    returns: "effect",
    params: [optional("options", options("options ({ includeSys? })", { includeSys: flag }))]
  },
  getPanelOptions: none,
  getPanelProjectId: none,
  getPanelProjectName: none,
  getPanelWorkspace: none,
  getPanelRequestCount: none,
  getPanelReport: none,
  getRequestStats: none,
  resetRequestStats: none,
  getAccountDetails: none,
  getDefaultWorkspace: none,
  getBackendVersion: none,
  // the per-experiment reads (ExperimentReads)
  getExperimentMetadata: keyOnly,
  getExperimentMetric: {
    returns: "effect",
    params: [required("experimentKey", Key), required("metric", text("a metric name"))]
  },
  getExperimentMetrics: {
    returns: "effect",
    params: [required("experimentKey", Key), optional("metric", text("a metric name"))]
  },
  getExperimentState: keyOnly,
  getExperimentMetricsSummaries: keyOnly,
  getExperimentParametersSummaries: keyOnly,
  getExperimentOthersSummaries: keyOnly,
  getExperimentSummary: {
    returns: "effect",
    params: [
      required("experimentKey", Key),
      required(
        "kind",
        Schema.Literal("metric", "parameter", "other").annotations({ description: '"metric", "parameter" or "other"' })
      ),
      required("name", text("a summary name"))
    ]
  },
  getExperimentName: {
    returns: "effect",
    params: [
      required("experimentKey", Key),
      optional("options", options("options ({ maxLength? })", { maxLength: number }))
    ]
  },
  getExperimentTags: keyOnly,
  getExperimentCode: keyOnly,
  getExperimentOutput: keyOnly,
  getExperimentHtml: keyOnly,
  getExperimentGraph: keyOnly,
  getExperimentModelGraph: keyOnly,
  getModelGraph: keyOnly,
  getExperimentInstalledPackages: keyOnly,
  getExperimentOsPackages: keyOnly,
  getExperimentSystemDetails: keyOnly,
  getExperimentGitMetadata: keyOnly,
  getExperimentGitPatch: keyOnly,
  getExperimentAssetList: {
    returns: "effect",
    params: [
      required("experimentKey", Key),
      optional("options", options("options ({ assetType? })", { assetType: text("an asset type") }))
    ]
  },
  getExperimentAsset: {
    returns: "effect",
    params: [
      required("experimentKey", Key),
      required("assetId", text("an asset id")),
      optional("options", options("options ({ returnType? })", { returnType: ReturnTypeText }))
    ]
  },
  getExperimentAssetByName: {
    returns: "effect",
    params: [
      required("experimentKey", Key),
      required("fileName", text("a file name")),
      optional(
        "options",
        options("options ({ returnType?, assetType? })", {
          returnType: ReturnTypeText,
          assetType: text("an asset type")
        })
      )
    ]
  },
  streamExperimentAsset: {
    returns: "stream",
    params: [required("experimentKey", Key), required("assetId", text("an asset id"))]
  },
  openExperimentAsset: {
    returns: "effect",
    params: [required("experimentKey", Key), required("assetId", text("an asset id"))]
  },
  getExperimentImages: keyOnly,
  getExperimentCurves: keyOnly,
  getExperimentModels: keyOnly,
  getExperimentModelNames: keyOnly,
  getExperimentModelAssetList: {
    returns: "effect",
    params: [required("experimentKey", Key), required("modelName", text("a model name"))]
  },
  getExperimentMetricsForChart: {
    returns: "effect",
    params: [
      required("experimentKey", Key),
      required("metrics", names("metric name")),
      optional("parameters", names("parameter name")),
      optional("options", ChartOptions)
    ]
  }
} satisfies Readonly<Record<string, Signature>>

/** The names of the methods declared (every method of `CometApi`: checked where the service is assembled). */
export type Method = keyof typeof signatures

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
  const out: Array<unknown> = []
  for (const [i, param] of signatures[method].params.entries()) {
    const value = args[i]
    if (param.optional && (value === undefined || value === null)) {
      out.push(undefined)
      continue
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
    out[name] = (...args: ReadonlyArray<unknown>): unknown => {
      const checked = Either.flatMap(withLocationDefaults(name, args, defaults), (located) =>
        checkArguments(name, located)
      )
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
 * besides): an object (or nothing) whose `signal`, when given, is an AbortSignal, and whose
 * `callTimeoutMs` is a positive number of ms.
 */
export const checkCallOptions = (value: unknown): Either.Either<CallOptionsChecked | undefined, InvalidArgument> =>
  value === undefined || value === null
    ? Either.right(undefined)
    : Either.mapLeft(Inputs.check(CallOptions, value) as Either.Either<CallOptionsChecked, Inputs.Problem>, (p) =>
        invalid("options", p)
      )

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

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
  panel: Schema.optionalWith(
    Schema.Union(Schema.Literal("env", false), Schema.Struct({ file: text("a path") }), PanelValues).annotations({
      description: '"env", false, { file }, or panel values'
    }),
    { nullable: true }
  ),
  httpClient: Schema.optionalWith(
    Inputs.refined((u): u is Layer.Layer<never> => Layer.isLayer(u), "an HttpClient Layer"),
    { nullable: true }
  ),
  http: Schema.optionalWith(Inputs.refined(isRecord, "transport settings ({ cache?, retryBudget?, … })"), {
    nullable: true
  }),
  chartChunkSize: Schema.optionalWith(positiveInteger, { nullable: true }),
  orStrategy: Schema.optionalWith(Schema.Literal("nested", "dnf").annotations({ description: '"nested" or "dnf"' }), {
    nullable: true
  }),
  callTimeoutMs: Schema.optionalWith(Milliseconds, { nullable: true })
}).annotations({ description: "an options object" })

/**
 * The options of `new API(...)` with their runtime types checked (`null` read as "not given"),
 * or the ConfigurationError naming the first that does not fit. Values are checked where they
 * are resolved (`CometConfig.resolve`, the transport's settings).
 */
export const checkApiOptions = <O extends CometOptions>(
  value: O | null | undefined
): Either.Either<O, ConfigurationError> =>
  Either.mapLeft(
    Inputs.check(ApiOptions, value ?? {}),
    (p) => new ConfigurationError({ setting: p.path.length === 0 ? "options" : p.path, reason: Inputs.reason(p) })
  ) as Either.Either<O, ConfigurationError>
