/**
 * The emulator's dataset: workspaces → projects → experiments with everything Comet's read API
 * serves (metadata, metric series, parameters, others, tags, environment and system details,
 * code, output, html, graph, git, assets with real bytes, models, project notes) and the users
 * whose API keys see which workspaces. A JSON file in this format is loaded with
 * {@link loadDataset}; {@link Generator.generate} builds one deterministically.
 *
 * Large data stays small in memory: a metric series and an asset's bytes may be given
 * explicitly or as a seeded recipe (`synthetic`, `png`) that is expanded on demand, the same
 * every time.
 *
 * @since 0.1.0
 */
import { ConfigurationError } from "@comet-ts/core"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as JSONSchema from "effect/JSONSchema"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const Millis = Schema.Number.pipe(Schema.finite())
const Int = Schema.Number.pipe(Schema.int())
const NonNegInt = Int.pipe(Schema.nonNegative())
const optionalNull = <A, I, R>(s: Schema.Schema<A, I, R>) =>
  Schema.optionalWith(Schema.NullOr(s), { default: () => null })

/**
 * The most values Comet keeps per metric per experiment (comet-rest-v2.md §5.3).
 *
 * @since 0.1.0
 */
export const MAX_POINTS_PER_METRIC = 15_000

const nonFinite = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY
} as const

/**
 * A logged metric value: any number, non-finite ones included. In JSON (where `NaN` and
 * `Infinity` are not numbers) the non-finite values are the strings comet_ml logs for them:
 * `"NaN"`, `"Infinity"`, `"-Infinity"`.
 *
 * @since 0.1.0
 */
export const LoggedNumber: Schema.Schema<number, number | "NaN" | "Infinity" | "-Infinity"> = Schema.transform(
  Schema.Union(Schema.Number, Schema.Literal("NaN", "Infinity", "-Infinity")),
  Schema.Number,
  {
    strict: true,
    decode: (v) => (typeof v === "number" ? v : nonFinite[v]),
    encode: (n) =>
      Number.isNaN(n)
        ? "NaN"
        : n === Number.POSITIVE_INFINITY
          ? "Infinity"
          : n === Number.NEGATIVE_INFINITY
            ? "-Infinity"
            : n
  }
).annotations({ identifier: "LoggedNumber" })

/**
 * A metric series given point by point, as parallel arrays. `steps` and `epochs` entries may be
 * `null`. A `values` entry is a logged value ({@link LoggedNumber}: non-finite values included) or
 * `null` for a point without a value — a gap: charts send `null` for it, `get-metric`,
 * `get-all` and the summaries leave it out.
 *
 * @since 0.1.0
 */
export const ExplicitSeries = Schema.Struct({
  name: Schema.String,
  steps: Schema.Array(Schema.NullOr(Schema.Number)),
  values: Schema.Array(Schema.NullOr(LoggedNumber)),
  timestamps: Schema.Array(Millis),
  epochs: Schema.optional(Schema.Array(Schema.NullOr(Schema.Number))),
  contexts: Schema.optional(Schema.Array(Schema.NullOr(Schema.String)))
}).pipe(
  Schema.filter((s) => {
    const n = s.values.length
    if (n > MAX_POINTS_PER_METRIC) return `at most ${MAX_POINTS_PER_METRIC} points per metric, got ${n}`
    if (s.steps.length !== n || s.timestamps.length !== n)
      return "steps, values and timestamps must have one entry per point"
    if (s.epochs !== undefined && s.epochs.length !== n) return "epochs must have one entry per point"
    if (s.contexts !== undefined && s.contexts.length !== n) return "contexts must have one entry per point"
    return true
  }),
  Schema.annotations({ identifier: "ExplicitSeries" })
)
/** @since 0.1.0 */
export type ExplicitSeries = typeof ExplicitSeries.Type

/**
 * The curve a synthetic series follows from `from` (first point) to `to` (last point):
 * `exponential` (fast at first, then flattening: losses and accuracies), `linear`, `constant`
 * (stays at `from`), `sine` (oscillates between `from` and `to`, `cycles` times).
 *
 * @since 0.1.0
 */
export const SeriesShape = Schema.Literal("exponential", "linear", "constant", "sine")
/** @since 0.1.0 */
export type SeriesShape = typeof SeriesShape.Type

/**
 * A metric series given as a seeded recipe, expanded on demand (any point can be computed on
 * its own, so large datasets cost no memory until read). Value of point `i` of `length`:
 * `shape(i) + noise · N(0,1)`, clamped to `[min, max]`; step `stepStart + i · stepEvery`;
 * epoch `floor(step / stepsPerEpoch)` (or null); timestamp `startTime + i · interval` plus up to
 * 30 % of `interval` of jitter.
 *
 * @since 0.1.0
 */
export const SyntheticSeriesSpec = Schema.Struct({
  shape: SeriesShape,
  from: Schema.Number,
  to: Schema.Number,
  noise: Schema.optionalWith(Schema.Number.pipe(Schema.nonNegative()), { default: () => 0 }),
  cycles: Schema.optionalWith(Schema.Number, { default: () => 4 }),
  min: Schema.optional(Schema.Number),
  max: Schema.optional(Schema.Number),
  seed: Int,
  length: NonNegInt.pipe(Schema.lessThanOrEqualTo(MAX_POINTS_PER_METRIC)),
  stepStart: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  stepEvery: Schema.optionalWith(Schema.Number, { default: () => 1 }),
  stepsPerEpoch: optionalNull(Schema.Number.pipe(Schema.positive())),
  startTime: Millis,
  interval: Millis.pipe(Schema.positive()),
  context: optionalNull(Schema.String)
}).annotations({ identifier: "SyntheticSeriesSpec" })
/** @since 0.1.0 */
export type SyntheticSeriesSpec = typeof SyntheticSeriesSpec.Type

/**
 * A metric series given as a recipe.
 *
 * @since 0.1.0
 */
export const SyntheticSeries = Schema.Struct({
  name: Schema.String,
  synthetic: SyntheticSeriesSpec
}).annotations({ identifier: "SyntheticSeries" })
/** @since 0.1.0 */
export type SyntheticSeries = typeof SyntheticSeries.Type

/**
 * One metric of an experiment: explicit points or a synthetic recipe.
 *
 * @since 0.1.0
 */
export const MetricSeries = Schema.Union(ExplicitSeries, SyntheticSeries).annotations({ identifier: "MetricSeries" })
/** @since 0.1.0 */
export type MetricSeries = typeof MetricSeries.Type

/**
 * A parameter or log-other value. Comet stores them as strings; numbers are written with
 * JavaScript's shortest round-trip form and booleans as `true`/`false`.
 *
 * @since 0.1.0
 */
export const LoggedValue = Schema.Struct({
  name: Schema.String,
  value: Schema.NullOr(Schema.Union(Schema.String, Schema.Number, Schema.Boolean)),
  /** When it was logged (epoch ms); defaults to the experiment's start. */
  timestamp: Schema.optional(Millis),
  step: optionalNull(Schema.Number),
  editable: Schema.optionalWith(Schema.Boolean, { default: () => false })
}).annotations({ identifier: "LoggedValue" })
/** @since 0.1.0 */
export type LoggedValue = typeof LoggedValue.Type

/** Any JSON value (a present key: `undefined` is not JSON). */
const JsonValue = Schema.Union(
  Schema.Null,
  Schema.Boolean,
  Schema.Number,
  Schema.String,
  Schema.Array(Schema.Unknown),
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * The bytes of an asset: UTF-8 `text`, `base64`, a `json` value (serialised compactly),
 * `synthetic` pseudo-random bytes of any `size` (streamed, never held in memory) or a `png`
 * image rendered from a seed.
 *
 * @since 0.1.0
 */
export const AssetContent = Schema.Union(
  Schema.Struct({ text: Schema.String }),
  Schema.Struct({ base64: Schema.String }),
  Schema.Struct({ synthetic: Schema.Struct({ size: NonNegInt, seed: Int }) }),
  Schema.Struct({
    png: Schema.Struct({
      width: Int.pipe(Schema.between(1, 4096)),
      height: Int.pipe(Schema.between(1, 4096)),
      seed: Int
    })
  }),
  Schema.Struct({ json: JsonValue })
).annotations({ identifier: "AssetContent" })
/** @since 0.1.0 */
export type AssetContent = typeof AssetContent.Type

/**
 * One asset (image, curve, audio, model file, …). `type` drives the list filter and the
 * convenience booleans (`image`, `audio`, `video`, `histogram`); `metadata` is a JSON-encoded
 * string, as on the wire.
 *
 * @since 0.1.0
 */
export const AssetData = Schema.Struct({
  assetId: Schema.String,
  fileName: Schema.String,
  type: Schema.optionalWith(Schema.String, { default: () => "asset" }),
  dir: optionalNull(Schema.String),
  step: optionalNull(Schema.Number),
  runContext: optionalNull(Schema.String),
  createdAt: Millis,
  metadata: optionalNull(Schema.String),
  remote: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** For a remote asset: the URI the link points to. */
  remoteUri: optionalNull(Schema.String),
  tags: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  content: AssetContent
}).annotations({ identifier: "AssetData" })
/** @since 0.1.0 */
export type AssetData = typeof AssetData.Type

/**
 * A model-registry record of an experiment model.
 *
 * @since 0.1.0
 */
export const RegistryRecordData = Schema.Struct({
  registryModelId: Schema.String,
  registryModelItemId: Schema.String,
  registryModelName: Schema.String,
  version: Schema.String,
  createdAt: Millis
}).annotations({ identifier: "RegistryRecordData" })
/** @since 0.1.0 */
export type RegistryRecordData = typeof RegistryRecordData.Type

/**
 * A model logged to an experiment, with its files.
 *
 * @since 0.1.0
 */
export const ModelData = Schema.Struct({
  experimentModelId: Schema.String,
  modelName: Schema.String,
  registryRecords: Schema.optionalWith(Schema.Array(RegistryRecordData), { default: () => [] }),
  assets: Schema.Array(AssetData)
}).annotations({ identifier: "ModelData" })
/** @since 0.1.0 */
export type ModelData = typeof ModelData.Type

/**
 * System details (comet-rest-v2.md §3.8). Every key is optional here; the server writes each
 * missing one as `null`.
 *
 * @since 0.1.0
 */
export const SystemDetailsData = Schema.Struct({
  user: Schema.optional(Schema.NullOr(Schema.String)),
  pythonVersion: Schema.optional(Schema.NullOr(Schema.String)),
  pythonVersionVerbose: Schema.optional(Schema.NullOr(Schema.String)),
  pid: Schema.optional(Schema.NullOr(Schema.Number)),
  osType: Schema.optional(Schema.NullOr(Schema.String)),
  os: Schema.optional(Schema.NullOr(Schema.String)),
  osRelease: Schema.optional(Schema.NullOr(Schema.String)),
  machine: Schema.optional(Schema.NullOr(Schema.String)),
  processor: Schema.optional(Schema.NullOr(Schema.String)),
  ip: Schema.optional(Schema.NullOr(Schema.String)),
  hostname: Schema.optional(Schema.NullOr(Schema.String)),
  totalRam: Schema.optional(Schema.NullOr(Schema.Number)),
  maxTotalMemory: Schema.optional(Schema.NullOr(Schema.Number)),
  gpuStaticInfoList: Schema.optional(
    Schema.Array(
      Schema.Struct({
        gpuIndex: Schema.Number,
        name: Schema.String,
        uuid: Schema.String,
        totalMemory: Schema.Number,
        powerLimit: Schema.Number
      })
    )
  ),
  logAdditionalSystemInfoList: Schema.optional(
    Schema.Array(Schema.Struct({ key: Schema.String, value: Schema.String }))
  ),
  systemMetricNames: Schema.optional(Schema.Array(Schema.String)),
  networkInterfaceIps: Schema.optional(Schema.Array(Schema.String)),
  command: Schema.optional(Schema.Array(Schema.String)),
  executable: Schema.optional(Schema.NullOr(Schema.String)),
  osPackages: Schema.optional(Schema.Array(Schema.String)),
  installedPackages: Schema.optional(Schema.Array(Schema.String))
}).annotations({ identifier: "SystemDetailsData" })
/** @since 0.1.0 */
export type SystemDetailsData = typeof SystemDetailsData.Type

/**
 * Git metadata and the uploaded patch (absent patch: the server answers `{"msg": …}`).
 *
 * @since 0.1.0
 */
export const GitData = Schema.Struct({
  user: optionalNull(Schema.String),
  root: optionalNull(Schema.String),
  branch: optionalNull(Schema.String),
  parent: optionalNull(Schema.String),
  origin: optionalNull(Schema.String),
  patch: optionalNull(AssetContent)
}).annotations({ identifier: "GitData" })
/** @since 0.1.0 */
export type GitData = typeof GitData.Type

/**
 * One experiment. `durationMillis` defaults to `endTimeMillis - startTimeMillis`.
 *
 * @since 0.1.0
 */
export const ExperimentData = Schema.Struct({
  experimentKey: Schema.String,
  experimentName: optionalNull(Schema.String),
  userName: optionalNull(Schema.String),
  optimizationId: optionalNull(Schema.String),
  filePath: optionalNull(Schema.String),
  fileName: optionalNull(Schema.String),
  startTimeMillis: Millis,
  endTimeMillis: optionalNull(Millis),
  durationMillis: optionalNull(Millis),
  archived: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  running: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  hasCrashed: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  throttle: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  metrics: Schema.optionalWith(Schema.Array(MetricSeries), { default: () => [] }),
  params: Schema.optionalWith(Schema.Array(LoggedValue), { default: () => [] }),
  others: Schema.optionalWith(Schema.Array(LoggedValue), { default: () => [] }),
  tags: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  /** `env_details` query columns (`os`, `python_version`, …). */
  environment: Schema.optionalWith(
    Schema.Record({
      key: Schema.String,
      value: Schema.NullOr(Schema.Union(Schema.String, Schema.Number, Schema.Boolean))
    }),
    { default: () => ({}) }
  ),
  systemDetails: Schema.optionalWith(SystemDetailsData, { default: () => ({}) }),
  code: optionalNull(Schema.String),
  output: Schema.optionalWith(Schema.String, { default: () => "" }),
  html: optionalNull(Schema.String),
  graph: optionalNull(Schema.String),
  git: optionalNull(GitData),
  assets: Schema.optionalWith(Schema.Array(AssetData), { default: () => [] }),
  models: Schema.optionalWith(Schema.Array(ModelData), { default: () => [] })
}).annotations({ identifier: "ExperimentData" })
/** @since 0.1.0 */
export type ExperimentData = typeof ExperimentData.Type

/**
 * One project with its experiments and notes.
 *
 * @since 0.1.0
 */
export const ProjectData = Schema.Struct({
  projectId: Schema.String,
  projectName: Schema.String,
  projectDescription: optionalNull(Schema.String),
  ownerUserName: optionalNull(Schema.String),
  public: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Epoch ms; defaults to the latest experiment activity (or 0 for an empty project). */
  lastUpdated: Schema.optional(Millis),
  notes: Schema.optionalWith(Schema.String, { default: () => "" }),
  experiments: Schema.optionalWith(Schema.Array(ExperimentData), { default: () => [] })
}).annotations({ identifier: "ProjectData" })
/** @since 0.1.0 */
export type ProjectData = typeof ProjectData.Type

/**
 * One workspace.
 *
 * @since 0.1.0
 */
export const WorkspaceData = Schema.Struct({
  name: Schema.String,
  projects: Schema.optionalWith(Schema.Array(ProjectData), { default: () => [] })
}).annotations({ identifier: "WorkspaceData" })
/** @since 0.1.0 */
export type WorkspaceData = typeof WorkspaceData.Type

/**
 * A user: their API key and the workspaces it can see.
 *
 * @since 0.1.0
 */
export const UserData = Schema.Struct({
  userName: Schema.String,
  apiKey: Schema.String.pipe(Schema.minLength(1)),
  workspaces: Schema.Array(Schema.String),
  defaultWorkspaceName: optionalNull(Schema.String)
}).annotations({ identifier: "UserData" })
/** @since 0.1.0 */
export type UserData = typeof UserData.Type

/**
 * A whole dataset (format version 1).
 *
 * @since 0.1.0
 */
export const Dataset = Schema.Struct({
  version: Schema.Literal(1),
  users: Schema.optionalWith(Schema.Array(UserData), { default: () => [] }),
  workspaces: Schema.Array(WorkspaceData)
}).pipe(
  Schema.filter((d) => {
    const issues: Array<string> = []
    const names = new Set<string>()
    const projectIds = new Set<string>()
    const keys = new Set<string>()
    for (const ws of d.workspaces) {
      if (names.has(ws.name)) issues.push(`workspace ${JSON.stringify(ws.name)} appears twice`)
      names.add(ws.name)
      const projectNames = new Set<string>()
      for (const p of ws.projects) {
        if (projectIds.has(p.projectId)) issues.push(`projectId ${p.projectId} appears twice`)
        if (projectNames.has(p.projectName)) issues.push(`project ${ws.name}/${p.projectName} appears twice`)
        projectIds.add(p.projectId)
        projectNames.add(p.projectName)
        for (const e of p.experiments) {
          if (keys.has(e.experimentKey)) issues.push(`experimentKey ${e.experimentKey} appears twice`)
          keys.add(e.experimentKey)
        }
      }
    }
    const apiKeys = new Set<string>()
    for (const u of d.users) {
      if (apiKeys.has(u.apiKey)) issues.push(`an API key is given to two users (${u.userName})`)
      apiKeys.add(u.apiKey)
      for (const w of u.workspaces) {
        if (!names.has(w)) issues.push(`user ${u.userName} sees unknown workspace ${JSON.stringify(w)}`)
      }
    }
    return issues.length === 0 ? true : issues.slice(0, 5).join("; ")
  }),
  Schema.annotations({ identifier: "Dataset" })
)
/** @since 0.1.0 */
export type Dataset = typeof Dataset.Type
/** The JSON form of a {@link Dataset}, as written in a file. @since 0.1.0 */
export type DatasetJson = typeof Dataset.Encoded

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 0
    ? "the top level"
    : path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("")

/**
 * Decode a parsed JSON value as a {@link Dataset}, failing with a `ConfigurationError` that
 * names the first bad field.
 *
 * @since 0.1.0
 */
export const decodeDataset = (json: unknown): Effect.Effect<Dataset, ConfigurationError> =>
  Schema.decodeUnknown(Dataset)(json, { errors: "first", onExcessProperty: "error" }).pipe(
    Effect.mapError(
      (e) =>
        new ConfigurationError({
          setting: "dataset",
          reason: `not a valid dataset: ${ParseResult.ArrayFormatter.formatErrorSync(e)
            .slice(0, 4)
            .map((i) => `at ${formatPath(i.path)}: ${i.message}`)
            .join("; ")}`
        })
    )
  )

/**
 * Encode a {@link Dataset} to its JSON form (the inverse of {@link decodeDataset}).
 *
 * @since 0.1.0
 */
export const encodeDataset = (dataset: Dataset): DatasetJson => Schema.encodeSync(Dataset)(dataset)

/**
 * Read and decode a dataset JSON file.
 *
 * @since 0.1.0
 */
export const loadDataset = (path: string): Effect.Effect<Dataset, ConfigurationError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs
      .readFileString(path)
      .pipe(
        Effect.mapError(
          (e) => new ConfigurationError({ setting: "dataset", reason: `cannot read ${path}: ${e.message}` })
        )
      )
    const json = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (e) =>
        new ConfigurationError({
          setting: "dataset",
          reason: `${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`
        })
    })
    return yield* decodeDataset(json).pipe(
      Effect.mapError((e) => new ConfigurationError({ setting: "dataset", reason: `${path}: ${e.reason}` }))
    )
  })

/**
 * The JSON Schema of the dataset file format (for editors and validators).
 *
 * @since 0.1.0
 */
export const datasetJsonSchema = (): object => JSONSchema.make(Dataset)
