/**
 * The arguments of every `CometApi` method, declared once per method as Schemas (what
 * `arguments.ts` checks at the boundary): one declaration per method, the shared pieces
 * (keys, names, options objects, queries) defined once.
 *
 * @internal
 */
import { Predicate as WirePredicate } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import { isQuery, type Query } from "@comet-ts/query"
import * as Schema from "effect/Schema"

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

export const text = (what: string) => Schema.String.annotations({ description: `${what} (a string)` })
export const names = (what: string) =>
  Schema.Array(text(`${/^[aeiou]/.test(what) ? "an" : "a"} ${what}`)).annotations({
    description: `an array of ${what}s (strings)`
  })
const flag = Schema.Boolean.annotations({ description: "true or false" })
const number = Schema.Number.annotations({ description: "a number" })

/** An options object: every field optional, `null` read as absent, unknown fields ignored. */
export const options = (description: string, fields: Readonly<Record<string, Schema.Schema.AnyNoContext>>) =>
  Schema.Struct(
    Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, Inputs.optionalOrNull(s)] as const))
  ).annotations({ description })

const Key = text("an experiment key")
const ReturnTypeText = text('"binary", "text" or "json"')
export const Workspace = text("a workspace name")
export const ProjectName = text("a project name")

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

export const QueryInput = Schema.Union(text("a query in Python syntax"), QueryValue).annotations({
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
