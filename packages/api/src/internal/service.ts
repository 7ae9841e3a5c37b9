/**
 * The `CometApi` service: its tag and its shape (every read method of the Python Panels `API`),
 * with the overloaded method types and `GetResult`. Re-exported by `CometApi.ts`, whose layers
 * build it from `internal/api.ts`.
 *
 * @internal
 */
import type {
  ChartExperiment,
  Column,
  CometError,
  ExperimentKey,
  ExperimentSummary,
  Predicate,
  Project
} from "@comet-ts/core"
import type { StatsSnapshot } from "@comet-ts/http"
import type { Query, QueryVariable } from "@comet-ts/query"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { Experiment } from "../Experiment.js"
import type { ExperimentReads } from "./experimentReads.js"
import type { ChartOptions, ProjectLocation, QueryOptions } from "./options.js"
import type { PanelContext } from "./panelService.js"

/**
 * What `get(...)` returns for a path: workspace names, project names, the experiments of a
 * project, or one experiment, depending on how many parts the path has.
 *
 * @since 0.1.0
 */
export type GetResult<P extends string> = GetResultOf<P, Experiment>

/**
 * What `get(...)` gives for a path, with `E` for an experiment (the Effect `Experiment`, or the
 * facade's `APIExperiment`).
 *
 * @internal
 */
export type GetResultOf<P extends string, E> = string extends P
  ? ReadonlyArray<string> | ReadonlyArray<E> | E
  : P extends `${string}/${infer Rest}`
    ? Rest extends `${string}/${string}`
      ? E
      : ReadonlyArray<E>
    : ReadonlyArray<string>

/**
 * The `get` method's overloads.
 *
 * @since 0.1.0
 */
export interface GetMethod {
  (): Effect.Effect<ReadonlyArray<string>, CometError>
  <P extends string>(path: P): Effect.Effect<GetResult<P>, CometError>
  (workspace: string, projectName: string): Effect.Effect<ReadonlyArray<Experiment>, CometError>
  (workspace: string, projectName: string, experiment: string): Effect.Effect<Experiment, CometError>
}

/**
 * The `getExperiment` method's overloads.
 *
 * @since 0.1.0
 */
export interface GetExperimentMethod {
  (path: string): Effect.Effect<Experiment, CometError>
  (workspace: string, projectName: string, experimentKey: string): Effect.Effect<Experiment, CometError>
}

/**
 * The `getProjectNotes` method's overloads.
 *
 * @since 0.1.0
 */
export interface GetProjectNotesMethod {
  (projectId: string): Effect.Effect<string, CometError>
  (workspace: string | null | undefined, projectName: string | null | undefined): Effect.Effect<string, CometError>
}

/**
 * Every read method of the Python Panels `API` (camelCase names, Python's argument order,
 * keyword arguments in a trailing options object), plus a few more the REST API offers.
 *
 * @since 0.1.0
 */
export interface CometApiShape extends ExperimentReads {
  /**
   * Workspace names, project names, a project's experiments, or one experiment (also
   * `"ws/proj/exp"`), as `getExperiment` resolves it (`Ambiguous`, `InvalidArgument` likewise).
   */
  readonly get: GetMethod
  /** Workspace names of this user. */
  readonly getWorkspaces: () => Effect.Effect<ReadonlyArray<string>, CometError>
  /** Project names of a workspace (the real SDK returns names; see {@link CometApiShape.listProjects} for details). */
  readonly getProjects: (workspace?: string | null) => Effect.Effect<ReadonlyArray<string>, CometError>
  /** Project details of every project of a workspace. */
  readonly listProjects: (workspace?: string | null) => Effect.Effect<ReadonlyArray<Project>, CometError>
  /** A project's details, by workspace and name or by id (NotFound when it does not exist). */
  readonly getProject: (
    workspace?: string | null,
    projectName?: string | null,
    projectId?: string | null
  ) => Effect.Effect<Project, CometError>
  /** A project's columns: names, types and sources (what queries are typed against). */
  readonly getProjectColumns: (
    workspace?: string | null,
    projectName?: string | null,
    projectId?: string | null
  ) => Effect.Effect<ReadonlyArray<Column>, CometError>
  /** Experiment keys → metadata of a project's experiments (one request). */
  readonly getProjectExperiments: (
    workspace?: string | null,
    projectName?: string | null
  ) => Effect.Effect<Readonly<Record<string, ExperimentSummary>>, CometError>
  /** A project's notes, by project id (or by workspace and project name). */
  readonly getProjectNotes: GetProjectNotesMethod
  /** Typed query variables from a project's columns (`Metric("loss")`, `Tag("best")`, …). */
  readonly getQueryVariables: (
    workspace?: string | null,
    projectName?: string | null,
    projectId?: string | null
  ) => Effect.Effect<ReadonlyArray<QueryVariable | Query>, CometError>
  /**
   * One experiment by workspace, project and key or name (or `"ws/proj/exp"`); `Ambiguous` when
   * the name is shared, `InvalidArgument` when the key's run is in another workspace or project.
   */
  readonly getExperiment: GetExperimentMethod
  /** One experiment by key. */
  readonly getExperimentByKey: (experimentKey: string) => Effect.Effect<Experiment, CometError>
  /** One experiment by key (the Python SDK's deprecated alias). */
  readonly getExperimentById: (experiment: string) => Effect.Effect<Experiment, CometError>
  /** One experiment by name, in the given or default workspace and project (`Ambiguous` when shared). */
  readonly getExperimentByName: (
    experimentName: string,
    location?: ProjectLocation
  ) => Effect.Effect<Experiment, CometError>
  /**
   * Experiments of a workspace (every project), of a project, or of a project matching a Python
   * `re` pattern over key or name (`re.match`, as comet_ml; see `pythonRegex`).
   */
  readonly getExperiments: (
    workspace?: string | null,
    projectName?: string | null,
    pattern?: string | null
  ) => Effect.Effect<ReadonlyArray<Experiment>, CometError>
  /** Archived experiments, as {@link CometApiShape.getExperiments}. */
  readonly getArchivedExperiments: (
    workspace?: string | null,
    projectName?: string | null,
    pattern?: string | null
  ) => Effect.Effect<ReadonlyArray<Experiment>, CometError>
  /** The experiments of a workspace or project as a Stream, one project's list at a time. */
  readonly streamExperiments: (
    workspace?: string | null,
    projectName?: string | null
  ) => Stream.Stream<Experiment, CometError>
  /** The experiment's page on the server. */
  readonly getExperimentUrl: (experimentKey: string) => Effect.Effect<string, CometError>
  /**
   * Metrics (and parameters) of many experiments for charting, keyed by experiment key. Long key
   * lists are split into chunks fetched concurrently and merged; no metrics gives `{}`.
   */
  readonly getMetricsForChart: (
    experiments: ReadonlyArray<string | { readonly key: string }>,
    metrics?: ReadonlyArray<string>,
    parameters?: ReadonlyArray<string>,
    options?: ChartOptions
  ) => Effect.Effect<Readonly<Record<string, ChartExperiment>>, CometError>
  /** Experiments matching a query (a Query value or Python-syntax text); OR and NOT are supported. */
  readonly query: (
    workspace: string | null | undefined,
    projectName: string | null | undefined,
    query: Query | string,
    options?: QueryOptions
  ) => Effect.Effect<ReadonlyArray<Experiment>, CometError>
  /** Keys of the experiments matching wire predicates (as Python's `query_project`) or a Query value. */
  readonly queryProject: (
    workspace: string | null | undefined,
    projectName: string | null | undefined,
    predicates: ReadonlyArray<Predicate> | Query,
    options?: { readonly archived?: boolean | undefined }
  ) => Effect.Effect<ReadonlyArray<ExperimentKey>, CometError>
  /** The panel's experiment keys. */
  readonly getPanelExperimentKeys: () => Effect.Effect<ReadonlyArray<string>, CometError, PanelContext>
  /** The panel's experiments. */
  readonly getPanelExperiments: () => Effect.Effect<ReadonlyArray<Experiment>, CometError, PanelContext>
  /** Metric names of the panel's project, without `sys.*` unless `includeSys`. */
  readonly getPanelMetricsNames: (options?: {
    readonly includeSys?: boolean | undefined
  }) => Effect.Effect<ReadonlyArray<string>, CometError, PanelContext>
  /** The panel's options. */
  readonly getPanelOptions: () => Effect.Effect<Readonly<Record<string, unknown>>, CometError, PanelContext>
  /** The panel's project id. */
  readonly getPanelProjectId: () => Effect.Effect<string, CometError, PanelContext>
  /** The panel's project name. */
  readonly getPanelProjectName: () => Effect.Effect<string, CometError, PanelContext>
  /** The panel's workspace. */
  readonly getPanelWorkspace: () => Effect.Effect<string, CometError, PanelContext>
  /** HTTP requests sent to the server so far (attempts, retries included). */
  readonly getPanelRequestCount: () => Effect.Effect<number>
  /** A readable report: requests per server and endpoint, retries and why, bytes and time. */
  readonly getPanelReport: () => Effect.Effect<string>
  /** The raw request counters. */
  readonly getRequestStats: () => Effect.Effect<StatsSnapshot>
  /** Set the request counters back to zero. */
  readonly resetRequestStats: () => Effect.Effect<void>
  /** The user name and default workspace of this API key. */
  readonly getAccountDetails: () => Effect.Effect<
    { readonly userName: string; readonly defaultWorkspaceName: string | null },
    CometError
  >
  /** The default workspace of this API key. */
  readonly getDefaultWorkspace: () => Effect.Effect<string, CometError>
  /** The server's version (`/clientlib/isAlive/ver`). */
  readonly getBackendVersion: () => Effect.Effect<string, CometError>
  /** The server root this client talks to. */
  readonly baseUrl: string
}

/**
 * The Comet read API as an Effect service.
 *
 * @since 0.1.0
 */
export class CometApi extends Context.Tag("@comet-ts/api/CometApi")<CometApi, CometApiShape>() {}
