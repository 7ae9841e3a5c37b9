/**
 * The Promise facade: `new API(options?)` gives every method of Comet's Python Panels `API`
 * as a Promise-returning method, for plain TypeScript. One `ManagedRuntime` per instance (one
 * semaphore, one cache, one set of request counters); every method takes an optional trailing
 * `{ signal }` and rejects with the typed `CometError` instance itself (`instanceof` and `_tag`
 * work). Close it with `close()` or `await using`.
 *
 * @since 0.1.0
 */
import {
  type Asset,
  type AssetId,
  type ChartExperiment,
  type Column,
  type CometError,
  type CometOptions,
  ConfigurationError,
  type Curve,
  type ExperimentKey,
  type ExperimentMetadata,
  type ExperimentModel,
  type ExperimentSummary,
  type GitMetadata,
  InvalidArgument,
  type MetricPoint,
  type Predicate,
  type Project,
  type Summary,
  type SystemDetails
} from "@comet-ts/core"
// CometConfig's functions, not the class: its statics (every layer and source) are never tree-shaken
import { layer as cometConfigLayer } from "@comet-ts/core/CometConfig"
import * as Inputs from "@comet-ts/core/Inputs"
import {
  type CometHttp,
  type CometHttpSettings,
  type Download,
  layerConfigTransport,
  layerConfigWith,
  type RequestStats,
  type StatsSnapshot
} from "@comet-ts/http"
import * as DefaultTransport from "@comet-ts/http/DefaultTransport"
import type { Query, QueryVariable } from "@comet-ts/query"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import {
  type AssetOptions,
  type AssetResult,
  layerConfigWith as apiLayerConfigWith,
  type ChartOptions,
  CometApi,
  type ExperimentState,
  type OrStrategy,
  type QueryOptions,
  type ReturnType
} from "./CometApi.js"
import { Experiment, ExperimentInfo } from "./Experiment.js"
import { checkApiOptions, configOptions } from "./internal/arguments.js"
import { type ArgsOf, type EffectMethod, invoke, type StreamMethod, type ValueOf } from "./internal/invoke.js"
import { type CallOptions, Runner } from "./internal/runner.js"
import type { CometApiShape, GetResultOf } from "./internal/service.js"
import * as Panel from "./PanelContext.js"

export type { CallOptions } from "./internal/runner.js"

/**
 * How the facade finds its panel context: explicit values; `"env"` to read the environment
 * (the default: `COMET_PANEL_CONTEXT`, `COMET_EXPERIMENT_KEYS`, `COMET_PANEL_OPTIONS`,
 * `COMET_WORKSPACE` + `COMET_PROJECT_NAME`); `{ file }` for a JSON file; or `false` for none.
 *
 * @since 0.1.0
 */
export type PanelOption = Panel.PanelValues | "env" | { readonly file: string } | false

/**
 * Options of `new API(...)`. Anything left out comes from the environment and the Python SDK's
 * config files, as comet_ml reads them.
 *
 * @since 0.1.0
 */
export interface APIOptions extends Omit<CometOptions, "sources"> {
  /** The panel context (default `"env"`). */
  readonly panel?: PanelOption | undefined
  /**
   * An `@effect/platform` HttpClient Layer to send requests through (a `FetchHttpClient`, a
   * platform-node client, a mock). Default: the runtime's own transport, picked by export
   * conditions: undici in Node (with the machine's proxy and CA settings), `fetch` in browsers,
   * Deno, Bun and workers.
   */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
  /** Transport settings: response cache, retry budget and delays, body size limit. */
  readonly http?: CometHttpSettings | undefined
  /** Experiments per multi-metric-chart request (default adapts to the request). */
  readonly chartChunkSize?: number | undefined
  /** How OR queries are sent (default `"nested"`). */
  readonly orStrategy?: OrStrategy | undefined
  /** Read configuration from these sources instead of the process (tests). */
  readonly sources?: CometOptions["sources"]
  /**
   * The most time any one call may take, in ms, unless the call sets its own `callTimeoutMs`
   * (see `CallOptions`). Default: none.
   */
  readonly callTimeoutMs?: number | undefined
}

/**
 * What `get(...)` resolves to for a path (facade flavour of `GetResult`).
 *
 * @since 0.1.0
 */
export type APIGetResult<P extends string> = GetResultOf<P, APIExperiment>

type Services = CometApi | Panel.PanelContext | CometHttp | RequestStats

const isCallOptions = (u: unknown): u is CallOptions => typeof u === "object" && u !== null && !Array.isArray(u)

/** `Effect.isEffect`, for any value at all (a Proxy's traps may throw). */
const isEffect = (u: unknown): boolean => {
  try {
    return Effect.isEffect(u)
  } catch {
    return false
  }
}

/**
 * A method's arguments with the caller's options object replaced by what passed its check (a
 * snapshot), where the method takes it too (`getExperimentName(key, options)`).
 */
const withOptions = <A extends ReadonlyArray<unknown>>(args: A, options: unknown, admitted: unknown): A =>
  options === undefined || options === null || options === admitted
    ? args
    : (args.map((a) => (a === options ? admitted : a)) as unknown as A)

/**
 * Whether an argument of an overloaded method is the positional one (a name) rather than the
 * trailing options: anything but an object or nothing — so a wrong type is reported as the
 * name it stands for.
 */
const isPositional = (u: unknown): u is string => u !== undefined && u !== null && typeof u !== "object"

/**
 * A transport setting's ConfigurationError as the facade's option is spelt (`http.cache`), when
 * the setting came from `new API({ http })`.
 */
const asHttpOption = <E>(e: E, http: APIOptions["http"]): E => {
  if (!(e instanceof ConfigurationError) || http === undefined || http === null) return e
  const [head] = e.setting.split(".")
  return head !== undefined && (head === "settings" || readsAs(http, head))
    ? (new ConfigurationError({ setting: `http.${e.setting}`, reason: e.reason }) as E)
    : e
}

/** Whether the transport reads `name` from the settings (own or inherited; false when asking throws). */
const readsAs = (http: object, name: string): boolean => {
  try {
    return name in http
  } catch {
    return false
  }
}

/**
 * An experiment, with the Python `APIExperiment` read methods returning Promises.
 *
 * @since 0.1.0
 */
export class APIExperiment extends ExperimentInfo {
  constructor(
    /** The Effect flavour of this experiment. */
    readonly experiment: Experiment,
    private readonly client: API
  ) {
    super(experiment.metadata, experiment.url)
  }

  /** The full metadata object. */
  getMetadata(options?: CallOptions): Promise<ExperimentMetadata> {
    return this.client.runAs("getMetadata", this.experiment.getMetadata(), options)
  }

  /**
   * Metric history of one metric, or (no name) every point of every metric in one request, in
   * the server's order (comet_ml's `get_metrics()`).
   */
  getMetrics(metric?: string, options?: CallOptions): Promise<ReadonlyArray<MetricPoint>> {
    return this.client.runAs("getMetrics", this.experiment.getMetrics(metric), options)
  }

  /** `"running"`, `"crashed"` or `"finished"` (comet_ml's `get_state()`). */
  getState(options?: CallOptions): Promise<ExperimentState> {
    return this.client.runAs("getState", this.experiment.getState(), options)
  }

  /** Metric summaries; with a name, that metric's summary object (comet_ml's dict; NotFound when never logged). */
  getMetricsSummary(options?: CallOptions): Promise<ReadonlyArray<Summary>>
  getMetricsSummary(metric: string, options?: CallOptions): Promise<Summary>
  getMetricsSummary(first?: string | CallOptions, options?: CallOptions): Promise<ReadonlyArray<Summary> | Summary> {
    return isPositional(first)
      ? this.client.runAs("getMetricsSummary", this.experiment.getMetricsSummary(first), options)
      : this.client.runAs("getMetricsSummary", this.experiment.getMetricsSummary(), first)
  }

  /** Parameter summaries; with a name, that parameter's summary object (NotFound when never logged). */
  getParametersSummary(options?: CallOptions): Promise<ReadonlyArray<Summary>>
  getParametersSummary(parameter: string, options?: CallOptions): Promise<Summary>
  getParametersSummary(first?: string | CallOptions, options?: CallOptions): Promise<ReadonlyArray<Summary> | Summary> {
    return isPositional(first)
      ? this.client.runAs("getParametersSummary", this.experiment.getParametersSummary(first), options)
      : this.client.runAs("getParametersSummary", this.experiment.getParametersSummary(), first)
  }

  /**
   * Log-other summaries; with a name, the list of that other's current values (`["mnist"]`), as
   * comet_ml's `get_others_summary(name)` (NotFound when never logged). The whole object of one
   * other: `getOthersSummaryEntry(name)`.
   */
  getOthersSummary(options?: CallOptions): Promise<ReadonlyArray<Summary>>
  getOthersSummary(other: string, options?: CallOptions): Promise<ReadonlyArray<string | null>>
  getOthersSummary(
    first?: string | CallOptions,
    options?: CallOptions
  ): Promise<ReadonlyArray<Summary> | ReadonlyArray<string | null>> {
    return isPositional(first)
      ? this.client.runAs("getOthersSummary", this.experiment.getOthersSummary(first), options)
      : this.client.runAs("getOthersSummary", this.experiment.getOthersSummary(), first)
  }

  /** The whole summary object of one log-other (NotFound when never logged). */
  getOthersSummaryEntry(other: string, options?: CallOptions): Promise<Summary> {
    return this.client.runAs("getOthersSummaryEntry", this.experiment.getOthersSummaryEntry(other), options)
  }

  /** The UI name (log-other `Name`, else metadata name), or null. */
  getName(options?: { readonly maxLength?: number | undefined } & CallOptions): Promise<string | null> {
    return this.client.runWith("getName", options, (o) => this.experiment.getName(o))
  }

  /** Tags. */
  getTags(options?: CallOptions): Promise<ReadonlyArray<string>> {
    return this.client.runAs("getTags", this.experiment.getTags(), options)
  }

  /** Asset list entries, optionally of one type. */
  getAssetList(assetType?: string, options?: CallOptions): Promise<ReadonlyArray<Asset>> {
    return this.client.runAs("getAssetList", this.experiment.getAssetList(assetType), options)
  }

  /** An asset's content as bytes (default), text or JSON. */
  getAsset<R extends ReturnType = "binary">(
    assetId: string,
    options?: AssetOptions<R> & CallOptions
  ): Promise<AssetResult<R>> {
    return this.client.runWith("getAsset", options, (o) => this.experiment.getAsset<R>(assetId, o))
  }

  /** An asset's content, found by file name. */
  getAssetByName<R extends ReturnType = "binary">(
    fileName: string,
    options?: AssetOptions<R> & CallOptions
  ): Promise<AssetResult<R>> {
    return this.client.runWith("getAssetByName", options, (o) => this.experiment.getAssetByName<R>(fileName, o))
  }

  /** An asset's bytes as an async iterable of chunks. */
  streamAsset(assetId: AssetId | string, options?: CallOptions): AsyncIterable<Uint8Array> {
    return this.client.download(
      Effect.flatMap(CometApi, (api) => api.openExperimentAsset(this.key, assetId)),
      options,
      "streamAsset"
    )
  }

  /** Image asset entries. */
  getImages(options?: CallOptions): Promise<ReadonlyArray<Asset>> {
    return this.client.runAs("getImages", this.experiment.getImages(), options)
  }

  /** Curves. */
  getCurves(options?: CallOptions): Promise<ReadonlyArray<Curve>> {
    return this.client.runAs("getCurves", this.experiment.getCurves(), options)
  }

  /** Source code, or null. */
  getCode(options?: CallOptions): Promise<string | null> {
    return this.client.runAs("getCode", this.experiment.getCode(), options)
  }

  /** Standard output, or null. */
  getOutput(options?: CallOptions): Promise<string | null> {
    return this.client.runAs("getOutput", this.experiment.getOutput(), options)
  }

  /** HTML, or null. */
  getHtml(options?: CallOptions): Promise<string | null> {
    return this.client.runAs("getHtml", this.experiment.getHtml(), options)
  }

  /** The model graph, or null. */
  getModelGraph(options?: CallOptions): Promise<string | null> {
    return this.client.runAs("getModelGraph", this.experiment.getModelGraph(), options)
  }

  /** Installed Python packages. */
  getInstalledPackages(options?: CallOptions): Promise<ReadonlyArray<string>> {
    return this.client.runAs("getInstalledPackages", this.experiment.getInstalledPackages(), options)
  }

  /** OS packages. */
  getOsPackages(options?: CallOptions): Promise<ReadonlyArray<string>> {
    return this.client.runAs("getOsPackages", this.experiment.getOsPackages(), options)
  }

  /** System details. */
  getSystemDetails(options?: CallOptions): Promise<SystemDetails> {
    return this.client.runAs("getSystemDetails", this.experiment.getSystemDetails(), options)
  }

  /** Git metadata. */
  getGitMetadata(options?: CallOptions): Promise<GitMetadata> {
    return this.client.runAs("getGitMetadata", this.experiment.getGitMetadata(), options)
  }

  /** The git patch bytes, or null. */
  getGitPatch(options?: CallOptions): Promise<Uint8Array | null> {
    return this.client.runAs("getGitPatch", this.experiment.getGitPatch(), options)
  }

  /** Models logged to the experiment. */
  getModels(options?: CallOptions): Promise<ReadonlyArray<ExperimentModel>> {
    return this.client.runAs("getModels", this.experiment.getModels(), options)
  }

  /** Distinct model names. */
  getModelNames(options?: CallOptions): Promise<ReadonlyArray<string>> {
    return this.client.runAs("getModelNames", this.experiment.getModelNames(), options)
  }

  /** Assets of one model. */
  getModelAssetList(modelName: string, options?: CallOptions): Promise<ReadonlyArray<Asset>> {
    return this.client.runAs("getModelAssetList", this.experiment.getModelAssetList(modelName), options)
  }

  /** This experiment's chart data; calls for many experiments made together (`Promise.all`) share few requests. */
  getMetricsForChart(
    metrics: ReadonlyArray<string>,
    parameters?: ReadonlyArray<string>,
    options?: ChartOptions & CallOptions
  ): Promise<ChartExperiment | null> {
    return this.client.runWith("getMetricsForChart", options, (o) =>
      this.experiment.getMetricsForChart(metrics, parameters, o)
    )
  }
}

/**
 * The Comet read API for plain TypeScript: every method of the Python Panels `API`, returning
 * Promises.
 *
 * @since 0.1.0
 */
export class API {
  /** @internal */
  readonly runtime: ManagedRuntime.ManagedRuntime<Services, CometError>
  private readonly runner: Runner<Services>
  /** The `CometApi` of the runtime, kept from the first call. */
  private service: CometApiShape | undefined = undefined

  constructor(given: APIOptions = {}) {
    // Options from JavaScript may have any runtime type: a wrong one makes every call reject
    // with the ConfigurationError naming it (and nothing else reads it).
    const checked = checkApiOptions(given)
    const options: APIOptions = Either.getOrElse(checked, () => ({ panel: false }))
    // Every setting of CometOptions (APIOptions extends it) is read by CometConfig from here.
    const configLayer = Either.isLeft(checked) ? Layer.fail(checked.left) : cometConfigLayer(configOptions(options))
    const httpLayer = (
      options.httpClient === undefined
        ? layerConfigTransport(options.http ?? {}).pipe(Layer.provide(DefaultTransport.layerConfig))
        : layerConfigWith(options.http ?? {}).pipe(Layer.provide(options.httpClient))
    ).pipe(Layer.mapError((e) => asHttpOption(e, options.http)))
    const apiLayer = Layer.provideMerge(
      apiLayerConfigWith({ chartChunkSize: options.chartChunkSize, orStrategy: options.orStrategy }),
      httpLayer
    )
    const services = Layer.provideMerge(panelLayerFor(options.panel ?? "env", options.sources), apiLayer).pipe(
      Layer.provide(configLayer)
    )
    this.runtime = ManagedRuntime.make(services)
    const key = options.apiKey
    this.runner = new Runner(
      this.runtime,
      options.callTimeoutMs,
      typeof key === "string" ? key : Redacted.isRedacted(key) ? Redacted.value(key) : undefined
    )
  }

  /**
   * Run an Effect on this client's runtime (for mixing Effect code with the facade). Rejects
   * with the typed error itself.
   */
  run<A>(effect: Effect.Effect<A, CometError, Services>, options?: CallOptions): Promise<A> {
    if (!isEffect(effect)) {
      return Promise.reject(
        new InvalidArgument({ argument: "effect", value: Inputs.renderValue(effect), reason: "must be an Effect." })
      )
    }
    return this.runner.run(effect, options, "call")
  }

  /** @internal As {@link run}, for a method named `label` (named in an abort's or a deadline's error). */
  runAs<A>(label: string, effect: Effect.Effect<A, CometError, Services>, options?: CallOptions): Promise<A> {
    return this.runner.run(effect, options, label)
  }

  /**
   * @internal As {@link runAs}, for a method whose options are also the Effect's (`getName`,
   * `getAsset`): the options are checked once, and `build` gets what passed (a snapshot).
   */
  runWith<A, O>(
    label: string,
    options: O | undefined,
    build: (checked: O | undefined) => Effect.Effect<A, CometError, Services>
  ): Promise<A> {
    const checked = this.runner.check(options, label)
    if (Either.isLeft(checked)) return Promise.reject(checked.left)
    const admitted = checked.right as O | undefined
    return this.runner.run(build(admitted), admitted as CallOptions | undefined, label)
  }

  /** @internal An async iterable over a Stream, run on this client's runtime. */
  iterate<A>(stream: Stream.Stream<A, CometError, Services>, options?: CallOptions): AsyncIterable<A> {
    return this.runner.iterate(stream, options, "stream")
  }

  /** @internal As {@link iterate}, for a method named `label`. */
  iterateAs<A>(label: string, stream: Stream.Stream<A, CometError, Services>, options?: CallOptions): AsyncIterable<A> {
    return this.runner.iterate(stream, options, label)
  }

  /**
   * @internal An async iterable over a download opened by `open` on this client's runtime: each
   * `next()` reads the transport's body directly (no Effect step per chunk). The signal and
   * `return()` (a `break`) cancel it; a failure rejects with the typed error.
   */
  download(
    open: Effect.Effect<Download, CometError, Services>,
    options?: CallOptions,
    label = "stream"
  ): AsyncIterable<Uint8Array> {
    return this.runner.download(open, options, label)
  }

  private wrap = (e: Experiment): APIExperiment => new APIExperiment(e, this)

  private wrapAll = (es: ReadonlyArray<Experiment>): ReadonlyArray<APIExperiment> => es.map(this.wrap)

  /**
   * The one path from a facade method to the service: `CometApi[name](...args)` run on this
   * client's runtime (rejecting with the typed error), its value passed through `map` when given
   * (experiments wrapped for the facade).
   */
  private call<K extends EffectMethod, B = ValueOf<K>>(
    name: K,
    args: ArgsOf<K>,
    options: CallOptions | undefined,
    map?: (a: ValueOf<K>) => B
  ): Promise<B> {
    // the options checked once: the method gets what passed (a snapshot) where it got them
    const checked = this.runner.check(options, name)
    if (Either.isLeft(checked)) return Promise.reject(checked.left)
    const admitted = checked.right
    const given = withOptions(args, options, admitted)
    const build = (api: CometApiShape) => {
      const effect = invoke(api, name, given) as Effect.Effect<ValueOf<K>, CometError, Services>
      return map === undefined ? (effect as Effect.Effect<B, CometError, Services>) : Effect.map(effect, map)
    }
    // the service, once the runtime has given it, is called directly (no lookup step per call)
    const known = this.service
    return this.runner.run(
      known === undefined
        ? Effect.flatMap(CometApi, (api) => {
            this.service = api
            return build(api)
          })
        : build(known),
      admitted,
      name
    )
  }

  /** As {@link call}, for the service's Stream methods: an async iterable over the stream. */
  private callStream<K extends StreamMethod, B = ValueOf<K>>(
    name: K,
    args: ArgsOf<K>,
    options: CallOptions | undefined,
    map?: (a: ValueOf<K>) => B
  ): AsyncIterable<B> {
    const checked = this.runner.check(options, name)
    // (a wrong one fails the first step)
    if (Either.isLeft(checked)) return this.runner.iterate(Stream.fail(checked.left), undefined, name)
    const admitted = checked.right
    return this.runner.iterate(
      Stream.unwrap(
        Effect.map(CometApi, (api) => {
          const stream = invoke(api, name, withOptions(args, options, admitted)) as Stream.Stream<
            ValueOf<K>,
            CometError,
            Services
          >
          return map === undefined ? (stream as Stream.Stream<B, CometError, Services>) : Stream.map(stream, map)
        })
      ),
      admitted,
      name
    )
  }

  /**
   * Workspace names, project names, a project's experiments, or one experiment (also
   * `"ws/proj/exp"`): by key, else by name. Rejects with `Ambiguous` (every matching key) when
   * several runs share the name, and with `InvalidArgument` when the key's run is in another
   * workspace or project than the path names (comet_ml returns the last match, and the run
   * wherever it is).
   */
  get(options?: CallOptions): Promise<ReadonlyArray<string>>
  get<P extends string>(path: P, options?: CallOptions): Promise<APIGetResult<P>>
  get(workspace: string, projectName: string, options?: CallOptions): Promise<ReadonlyArray<APIExperiment>>
  get(workspace: string, projectName: string, experiment: string, options?: CallOptions): Promise<APIExperiment>
  get(...args: ReadonlyArray<string | CallOptions | undefined>): Promise<unknown> {
    const last = args[args.length - 1]
    // a fourth argument is the options whatever it is (a wrong one is an InvalidArgument there)
    const trailing = args.length > 3 || isCallOptions(last)
    const options = trailing ? (last as CallOptions | undefined) : undefined
    // the parts go to CometApi as given: a part that is not a string is an InvalidArgument there
    const parts = trailing ? args.slice(0, Math.min(args.length - 1, 3)) : args
    return this.call("get", parts as ArgsOf<"get">, options, (r: unknown) => this.wrapAny(r))
  }

  private wrapAny(r: unknown): unknown {
    if (r instanceof Experiment) return this.wrap(r)
    if (Array.isArray(r)) return r.map((x: unknown) => (x instanceof Experiment ? this.wrap(x) : x))
    return r
  }

  /** Workspace names of this user. */
  getWorkspaces(options?: CallOptions): Promise<ReadonlyArray<string>> {
    return this.call("getWorkspaces", [], options)
  }

  /** Project names of a workspace. */
  getProjects(workspace?: string | null, options?: CallOptions): Promise<ReadonlyArray<string>> {
    return this.call("getProjects", [workspace], options)
  }

  /** Project details of every project of a workspace. */
  listProjects(workspace?: string | null, options?: CallOptions): Promise<ReadonlyArray<Project>> {
    return this.call("listProjects", [workspace], options)
  }

  /** A project's details (rejects with NotFound when it does not exist). */
  getProject(
    workspace?: string | null,
    projectName?: string | null,
    projectId?: string | null,
    options?: CallOptions
  ): Promise<Project> {
    return this.call("getProject", [workspace, projectName, projectId], options)
  }

  /** A project's columns: names, types and sources. */
  getProjectColumns(
    workspace?: string | null,
    projectName?: string | null,
    projectId?: string | null,
    options?: CallOptions
  ): Promise<ReadonlyArray<Column>> {
    return this.call("getProjectColumns", [workspace, projectName, projectId], options)
  }

  /** Experiment keys → metadata of a project's experiments. */
  getProjectExperiments(
    workspace?: string | null,
    projectName?: string | null,
    options?: CallOptions
  ): Promise<Readonly<Record<string, ExperimentSummary>>> {
    return this.call("getProjectExperiments", [workspace, projectName], options)
  }

  /** A project's notes by project id (or by workspace and project name). */
  getProjectNotes(projectId: string, options?: CallOptions): Promise<string>
  getProjectNotes(workspace: string, projectName: string, options?: CallOptions): Promise<string>
  getProjectNotes(first: string, second?: string | CallOptions, third?: CallOptions): Promise<string> {
    return isPositional(second)
      ? this.call("getProjectNotes", [first, second], third)
      : this.call("getProjectNotes", [first], second)
  }

  /** Typed query variables from a project's columns. */
  getQueryVariables(
    workspace?: string | null,
    projectName?: string | null,
    projectId?: string | null,
    options?: CallOptions
  ): Promise<ReadonlyArray<QueryVariable | Query>> {
    return this.call("getQueryVariables", [workspace, projectName, projectId], options)
  }

  /**
   * One experiment by workspace, project and key or name (or a `"ws/proj/key"` path); `Ambiguous`
   * when the name is shared, `InvalidArgument` when the key's run is elsewhere (as `get`).
   */
  getExperiment(path: string, options?: CallOptions): Promise<APIExperiment>
  getExperiment(
    workspace: string,
    projectName: string,
    experimentKey: string,
    options?: CallOptions
  ): Promise<APIExperiment>
  getExperiment(
    first: string,
    second?: string | CallOptions,
    third?: string,
    fourth?: CallOptions
  ): Promise<APIExperiment> {
    return isPositional(second)
      ? this.call("getExperiment", [first, second, third ?? ""], fourth, this.wrap)
      : this.call("getExperiment", [first], second, this.wrap)
  }

  /** One experiment by key. */
  getExperimentByKey(experimentKey: string, options?: CallOptions): Promise<APIExperiment> {
    return this.call("getExperimentByKey", [experimentKey], options, this.wrap)
  }

  /** One experiment by key (the Python SDK's deprecated alias). */
  getExperimentById(experiment: string, options?: CallOptions): Promise<APIExperiment> {
    return this.call("getExperimentById", [experiment], options, this.wrap)
  }

  /** One experiment by name, in the given or default workspace and project (`Ambiguous` when shared). */
  getExperimentByName(
    experimentName: string,
    options?: { readonly workspace?: string | undefined; readonly projectName?: string | undefined } & CallOptions
  ): Promise<APIExperiment> {
    return this.call("getExperimentByName", [experimentName, options], options, this.wrap)
  }

  /**
   * Experiments of a workspace, of a project, or of a project matching a Python `re` pattern
   * over key or name (`re.match`: at the start), as comet_ml's `get_experiments`.
   */
  getExperiments(
    workspace?: string | null,
    projectName?: string | null,
    pattern?: string | null,
    options?: CallOptions
  ): Promise<ReadonlyArray<APIExperiment>> {
    return this.call("getExperiments", [workspace, projectName, pattern], options, this.wrapAll)
  }

  /** Archived experiments, as getExperiments. */
  getArchivedExperiments(
    workspace?: string | null,
    projectName?: string | null,
    pattern?: string | null,
    options?: CallOptions
  ): Promise<ReadonlyArray<APIExperiment>> {
    return this.call("getArchivedExperiments", [workspace, projectName, pattern], options, this.wrapAll)
  }

  /** The experiments of a workspace or project as an async iterable, one project at a time. */
  streamExperiments(
    workspace?: string | null,
    projectName?: string | null,
    options?: CallOptions
  ): AsyncIterable<APIExperiment> {
    return this.callStream("streamExperiments", [workspace, projectName], options, this.wrap)
  }

  /** An experiment's metadata object. */
  getExperimentMetadata(experimentKey: string, options?: CallOptions): Promise<ExperimentMetadata> {
    return this.call("getExperimentMetadata", [experimentKey], options)
  }

  /**
   * Every point of every metric in one request (`experiment/metrics/get-all`), in the server's
   * order; with a name, that metric's history.
   */
  getExperimentMetrics(
    experimentKey: string,
    metric?: string,
    options?: CallOptions
  ): Promise<ReadonlyArray<MetricPoint>> {
    return this.call("getExperimentMetrics", [experimentKey, metric], options)
  }

  /** The history of one metric. */
  getExperimentMetric(
    experimentKey: string,
    metric: string,
    options?: CallOptions
  ): Promise<ReadonlyArray<MetricPoint>> {
    return this.call("getExperimentMetric", [experimentKey, metric], options)
  }

  /** Metric summaries. */
  getExperimentMetricsSummaries(experimentKey: string, options?: CallOptions): Promise<ReadonlyArray<Summary>> {
    return this.call("getExperimentMetricsSummaries", [experimentKey], options)
  }

  /** Parameter summaries. */
  getExperimentParametersSummaries(experimentKey: string, options?: CallOptions): Promise<ReadonlyArray<Summary>> {
    return this.call("getExperimentParametersSummaries", [experimentKey], options)
  }

  /** Log-other summaries. */
  getExperimentOthersSummaries(experimentKey: string, options?: CallOptions): Promise<ReadonlyArray<Summary>> {
    return this.call("getExperimentOthersSummaries", [experimentKey], options)
  }

  /** `"running"`, `"crashed"` or `"finished"` (comet_ml's `APIExperiment.get_state()`). */
  getExperimentState(experimentKey: string, options?: CallOptions): Promise<ExperimentState> {
    return this.call("getExperimentState", [experimentKey], options)
  }

  /** The UI name, truncated to `maxLength`; null when unnamed. */
  getExperimentName(
    experimentKey: string,
    options?: { readonly maxLength?: number | undefined } & CallOptions
  ): Promise<string | null> {
    return this.call("getExperimentName", [experimentKey, options], options)
  }

  /** The experiment's page on the server. */
  getExperimentUrl(experimentKey: string, options?: CallOptions): Promise<string> {
    return this.call("getExperimentUrl", [experimentKey], options)
  }

  /** Tags. */
  getExperimentTags(experimentKey: string, options?: CallOptions): Promise<ReadonlyArray<string>> {
    return this.call("getExperimentTags", [experimentKey], options)
  }

  /** Source code, or null. */
  getExperimentCode(experimentKey: string, options?: CallOptions): Promise<string | null> {
    return this.call("getExperimentCode", [experimentKey], options)
  }

  /** Standard output, or null. */
  getExperimentOutput(experimentKey: string, options?: CallOptions): Promise<string | null> {
    return this.call("getExperimentOutput", [experimentKey], options)
  }

  /** HTML, or null. */
  getExperimentHtml(experimentKey: string, options?: CallOptions): Promise<string | null> {
    return this.call("getExperimentHtml", [experimentKey], options)
  }

  /** The model graph, or null. */
  getExperimentGraph(experimentKey: string, options?: CallOptions): Promise<string | null> {
    return this.call("getExperimentGraph", [experimentKey], options)
  }

  /** The model graph, or null. */
  getExperimentModelGraph(experimentKey: string, options?: CallOptions): Promise<string | null> {
    return this.call("getExperimentModelGraph", [experimentKey], options)
  }

  /** The model graph, or null. */
  getModelGraph(experimentKey: string, options?: CallOptions): Promise<string | null> {
    return this.call("getModelGraph", [experimentKey], options)
  }

  /** Installed Python packages. */
  getExperimentInstalledPackages(experimentKey: string, options?: CallOptions): Promise<ReadonlyArray<string>> {
    return this.call("getExperimentInstalledPackages", [experimentKey], options)
  }

  /** The OS packages of the experiment's environment (from its system details). */
  getExperimentOsPackages(experimentKey: string, options?: CallOptions): Promise<ReadonlyArray<string>> {
    return this.call("getExperimentOsPackages", [experimentKey], options)
  }

  /** System details. */
  getExperimentSystemDetails(experimentKey: string, options?: CallOptions): Promise<SystemDetails> {
    return this.call("getExperimentSystemDetails", [experimentKey], options)
  }

  /** Git metadata. */
  getExperimentGitMetadata(experimentKey: string, options?: CallOptions): Promise<GitMetadata> {
    return this.call("getExperimentGitMetadata", [experimentKey], options)
  }

  /** The git patch bytes, or null. */
  getExperimentGitPatch(experimentKey: string, options?: CallOptions): Promise<Uint8Array | null> {
    return this.call("getExperimentGitPatch", [experimentKey], options)
  }

  /** Asset list entries, optionally of one type. */
  getExperimentAssetList(
    experimentKey: string,
    options?: { readonly assetType?: string | undefined } & CallOptions
  ): Promise<ReadonlyArray<Asset>> {
    return this.call("getExperimentAssetList", [experimentKey, options], options)
  }

  /** An asset's content as bytes (default), text or JSON. */
  getExperimentAsset<R extends ReturnType = "binary">(
    experimentKey: string,
    assetId: string,
    options?: AssetOptions<R> & CallOptions
  ): Promise<AssetResult<R>> {
    return this.call("getExperimentAsset", [experimentKey, assetId, options], options) as Promise<AssetResult<R>>
  }

  /** An asset's content, found by file name. */
  getExperimentAssetByName<R extends ReturnType = "binary">(
    experimentKey: string,
    fileName: string,
    options?: AssetOptions<R> & { readonly assetType?: string | undefined } & CallOptions
  ): Promise<AssetResult<R>> {
    return this.call("getExperimentAssetByName", [experimentKey, fileName, options], options) as Promise<AssetResult<R>>
  }

  /** An asset's bytes as an async iterable of chunks (for large assets). */
  streamExperimentAsset(experimentKey: string, assetId: string, options?: CallOptions): AsyncIterable<Uint8Array> {
    return this.download(
      Effect.flatMap(
        CometApi,
        (api) => invoke(api, "openExperimentAsset", [experimentKey, assetId]) as Effect.Effect<Download, CometError>
      ),
      options,
      "streamExperimentAsset"
    )
  }

  /** Image asset entries. */
  getExperimentImages(experimentKey: string, options?: CallOptions): Promise<ReadonlyArray<Asset>> {
    return this.call("getExperimentImages", [experimentKey], options)
  }

  /** Curves. */
  getExperimentCurves(experimentKey: string, options?: CallOptions): Promise<ReadonlyArray<Curve>> {
    return this.call("getExperimentCurves", [experimentKey], options)
  }

  /** Models logged to the experiment. */
  getExperimentModels(experimentKey: string, options?: CallOptions): Promise<ReadonlyArray<ExperimentModel>> {
    return this.call("getExperimentModels", [experimentKey], options)
  }

  /** Assets of one model. */
  getExperimentModelAssetList(
    experimentKey: string,
    modelName: string,
    options?: CallOptions
  ): Promise<ReadonlyArray<Asset>> {
    return this.call("getExperimentModelAssetList", [experimentKey, modelName], options)
  }

  /** Metrics (and parameters) of many experiments for charting, keyed by experiment key. */
  getMetricsForChart(
    experiments: ReadonlyArray<string | { readonly key: string }>,
    metrics?: ReadonlyArray<string>,
    parameters?: ReadonlyArray<string>,
    options?: ChartOptions & CallOptions
  ): Promise<Readonly<Record<string, ChartExperiment>>> {
    return this.call("getMetricsForChart", [experiments, metrics, parameters, options], options)
  }

  /** Experiments matching a query (a Query value or Python-syntax text). */
  query(
    workspace: string | null | undefined,
    projectName: string | null | undefined,
    query: Query | string,
    options?: QueryOptions & CallOptions
  ): Promise<ReadonlyArray<APIExperiment>> {
    return this.call("query", [workspace, projectName, query, options], options, this.wrapAll)
  }

  /** Keys of the experiments matching wire predicates (as Python's `query_project`) or a Query value. */
  queryProject(
    workspace: string | null | undefined,
    projectName: string | null | undefined,
    predicates: ReadonlyArray<Predicate> | Query,
    options?: { readonly archived?: boolean | undefined } & CallOptions
  ): Promise<ReadonlyArray<ExperimentKey>> {
    return this.call("queryProject", [workspace, projectName, predicates, options], options)
  }

  /** The panel's experiment keys. */
  getPanelExperimentKeys(options?: CallOptions): Promise<ReadonlyArray<string>> {
    return this.call("getPanelExperimentKeys", [], options)
  }

  /** The panel's experiments. */
  getPanelExperiments(options?: CallOptions): Promise<ReadonlyArray<APIExperiment>> {
    return this.call("getPanelExperiments", [], options, this.wrapAll)
  }

  /** Metric names of the panel's project (without `sys.*` unless `includeSys`). */
  getPanelMetricsNames(
    options?: { readonly includeSys?: boolean | undefined } & CallOptions
  ): Promise<ReadonlyArray<string>> {
    return this.call("getPanelMetricsNames", [options], options)
  }

  /** The panel's options. */
  getPanelOptions(options?: CallOptions): Promise<Readonly<Record<string, unknown>>> {
    return this.call("getPanelOptions", [], options)
  }

  /** The panel's project id. */
  getPanelProjectId(options?: CallOptions): Promise<string> {
    return this.call("getPanelProjectId", [], options)
  }

  /** The panel's project name. */
  getPanelProjectName(options?: CallOptions): Promise<string> {
    return this.call("getPanelProjectName", [], options)
  }

  /** The panel's workspace. */
  getPanelWorkspace(options?: CallOptions): Promise<string> {
    return this.call("getPanelWorkspace", [], options)
  }

  /** HTTP requests sent so far (retries included). */
  getPanelRequestCount(options?: CallOptions): Promise<number> {
    return this.call("getPanelRequestCount", [], options)
  }

  /** A readable report of the requests sent: servers, endpoints, retries and why, bytes and time. */
  getPanelReport(options?: CallOptions): Promise<string> {
    return this.call("getPanelReport", [], options)
  }

  /** The raw request counters. */
  getRequestStats(options?: CallOptions): Promise<StatsSnapshot> {
    return this.call("getRequestStats", [], options)
  }

  /** Set the request counters back to zero. */
  resetRequestStats(options?: CallOptions): Promise<void> {
    return this.call("resetRequestStats", [], options)
  }

  /** The user name and default workspace of this API key. */
  getAccountDetails(
    options?: CallOptions
  ): Promise<{ readonly userName: string; readonly defaultWorkspaceName: string | null }> {
    return this.call("getAccountDetails", [], options)
  }

  /** The default workspace of this API key. */
  getDefaultWorkspace(options?: CallOptions): Promise<string> {
    return this.call("getDefaultWorkspace", [], options)
  }

  /** The server's version. */
  getBackendVersion(options?: CallOptions): Promise<string> {
    return this.call("getBackendVersion", [], options)
  }

  /**
   * Release the client (connections, caches, timers). Every call and stream still pending
   * rejects at once with TransportError "closed"; later calls reject with ConfigurationError.
   */
  close(): Promise<void> {
    return this.runner.close()
  }

  /** `await using api = new API()` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}

const unavailable = (reason: string) => Panel.layerUnavailable(reason)

/** The panel layer the facade uses for its `panel` option. Problems with it fail panel calls only. */
const panelLayerFor = (
  panel: PanelOption,
  sources: CometOptions["sources"]
): Layer.Layer<Panel.PanelContext, never, CometApi> => {
  if (panel === false) return unavailable("this API was created with panel: false.")
  const env = sources === undefined ? Panel.processEnv() : { env: sources.env, readFile: sources.readFile }
  const values: Effect.Effect<Panel.PanelValues | undefined, CometError> =
    panel === "env"
      ? Panel.valuesFromEnv(env.env, env.readFile)
      : "file" in panel
        ? Effect.flatMap(
            Effect.suspend(() => {
              const text = env.readFile(panel.file)
              return text === undefined
                ? Effect.fail(
                    new ConfigurationError({
                      setting: "panel",
                      reason: `cannot read the panel context file ${JSON.stringify(panel.file)}.`
                    })
                  )
                : Effect.try({
                    try: () => JSON.parse(text) as unknown,
                    catch: () =>
                      new ConfigurationError({
                        setting: "panel",
                        reason: `the panel context file ${JSON.stringify(panel.file)} is not valid JSON.`
                      })
                  })
            }),
            (json) => Panel.valuesFromJson(json, panel.file)
          )
        : Effect.succeed(panel)
  return Layer.unwrapEffect(
    values.pipe(
      Effect.map((v) =>
        v === undefined
          ? unavailable(
              "no panel context is configured. Pass new API({ panel: { workspace, projectName, experimentKeys } }), or set COMET_EXPERIMENT_KEYS, or COMET_WORKSPACE and COMET_PROJECT_NAME (as inside a Comet Panel)."
            )
          : // (explicit values were checked with the options; env and file values are read by name)
            Layer.catchAll(Panel.layer(v), (e) => unavailable(e.message))
      ),
      Effect.catchAll((e) => Effect.succeed(unavailable(`the panel context could not be read: ${e.message}`)))
    )
  )
}
