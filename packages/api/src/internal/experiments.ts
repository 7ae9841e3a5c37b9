/**
 * Workspaces, projects and experiments: listing (with a Python `re` pattern over key and name,
 * matched with `re.match` as comet_ml does), lookup by key, by name, or by
 * `"workspace/project/experiment"` path (a key that is not found falls back to a name lookup in
 * the project, as the Python SDK does). Unlike comet_ml 3.58.8, a name that matches several
 * experiments is an `Ambiguous` error naming every key (comet_ml returns the last), and a key
 * found in another workspace or project than the path names is an `InvalidArgument` saying where
 * it is (comet_ml returns it anyway).
 *
 * @internal
 */
import {
  Ambiguous,
  ColumnList,
  type CometError,
  ConfigurationError,
  ExperimentList,
  InvalidArgument,
  NotFound,
  Project,
  ProjectList,
  ProjectNotes,
  WorkspaceList
} from "@comet-ts/core"
import type { Params } from "@comet-ts/http"
import { pythonRegex } from "@comet-ts/query"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { type ApiContext, catchNotFound, notFound, type ToExperiment } from "./context.js"
import { sameProject } from "./entity.js"
import type { ProjectLocation } from "./options.js"
import { required, resolveLocation } from "./paths.js"
import type { CometApiShape, GetExperimentMethod, GetMethod, GetProjectNotesMethod } from "./service.js"

/** The methods this module gives `CometApi`. */
export type ExperimentMethods = Pick<
  CometApiShape,
  | "get"
  | "getWorkspaces"
  | "getProjects"
  | "listProjects"
  | "getProject"
  | "getProjectColumns"
  | "getProjectExperiments"
  | "getProjectNotes"
  | "getExperiment"
  | "getExperimentByKey"
  | "getExperimentById"
  | "getExperimentByName"
  | "getExperiments"
  | "getArchivedExperiments"
  | "streamExperiments"
  | "getExperimentUrl"
>

/** Build the experiment and project lookups; `listExperiments` is shared with the queries. */
export const makeExperiments = (ctx: ApiContext, toExperiment: ToExperiment) => {
  const { get, settings, getExperimentMetadata } = ctx

  const listExperiments = (workspace: string, projectName: string, archived: boolean) =>
    Effect.map(
      get("experiments", ExperimentList, { workspaceName: workspace, projectName, archived }),
      (r) => r.experiments
    )

  const experimentsOf = (workspace: string, projectName: string, archived: boolean, pattern?: string) =>
    Effect.gen(function* () {
      const matcher = pattern === undefined ? undefined : yield* compilePattern(pattern)
      const list = yield* listExperiments(workspace, projectName, archived)
      const kept =
        matcher === undefined
          ? list
          : list.filter((e) => matcher(e.experimentKey) || (e.experimentName !== null && matcher(e.experimentName)))
      return kept.map(toExperiment)
    })

  /** Python's `re.match` on key or name (comet_ml's `_gen_experiments`), with Python's syntax. */
  const compilePattern = (pattern: string): Effect.Effect<(s: string) => boolean, InvalidArgument> =>
    Effect.map(pythonRegex(pattern), (re) => re.match)

  const experimentsAcross = (
    workspace: string | null | undefined,
    projectName: string | null | undefined,
    pattern: string | null | undefined,
    archived: boolean
  ) =>
    Effect.gen(function* () {
      const ws = yield* required("workspace", workspace)
      if (projectName === undefined || projectName === null) {
        if (pattern !== undefined && pattern !== null) {
          return yield* Effect.fail(
            new InvalidArgument({
              argument: "pattern",
              value: pattern,
              reason: "a pattern needs a project name (as in the Python SDK)."
            })
          )
        }
        const projects = yield* getProjects(ws)
        const perProject = yield* Effect.forEach(projects, (p) => experimentsOf(ws, p, archived), {
          concurrency: "unbounded"
        })
        return perProject.flat()
      }
      return yield* experimentsOf(ws, yield* required("projectName", projectName), archived, pattern ?? undefined)
    })

  /** The one active experiment of that name in the project; `Ambiguous` when there are several. */
  const findByName = (workspace: string, projectName: string, name: string) =>
    Effect.gen(function* () {
      const list = yield* listExperiments(workspace, projectName, false)
      const hits = list.filter((e) => e.experimentName === name)
      const [hit, ...more] = hits
      if (hit === undefined) {
        return yield* notFound("experiment", `${workspace}/${projectName}/${name}`, "experiments")
      }
      if (more.length > 0) {
        return yield* Effect.fail(
          new Ambiguous({
            resource: "experiment",
            name,
            scope: `${workspace}/${projectName}`,
            matches: hits.map((e) => e.experimentKey)
          })
        )
      }
      return toExperiment(hit)
    })

  /**
   * By key, falling back to a name lookup in the project on 400/404, as the Python SDK does. A
   * key whose experiment lives elsewhere is looked up as a name in the project the path names
   * (a name may look like a key), and is an `InvalidArgument` saying where it is when no run of
   * the project has that name.
   */
  const experimentAt = (workspace: string, projectName: string, experiment: string) =>
    getExperimentMetadata(experiment).pipe(
      Effect.flatMap((m) => {
        if (m.workspaceName === workspace && m.projectName === projectName) return Effect.succeed(toExperiment(m))
        return findByName(workspace, projectName, experiment).pipe(
          catchNotFound(() =>
            Effect.fail(
              new InvalidArgument({
                argument: "path",
                value: `${workspace}/${projectName}/${experiment}`,
                reason: `experiment ${experiment} is in ${m.workspaceName}/${m.projectName}, not in ${workspace}/${projectName}. Write "${m.workspaceName}/${m.projectName}/${experiment}", or look it up by key alone (getExperimentByKey).`
              })
            )
          )
        )
      }),
      catchNotFound((missing) =>
        missing.resource === "experiment" ? findByName(workspace, projectName, experiment) : Effect.fail(missing)
      )
    )

  const getWorkspaces = () => Effect.map(get("workspaces", WorkspaceList, {}), (r) => r.workspaceNames)

  const listProjects = (workspace?: string | null) =>
    Effect.flatMap(required("workspace", workspace), (ws) =>
      Effect.map(get("projects", ProjectList, { workspaceName: ws }), (r) => r.projects)
    )

  const getProjects = (workspace?: string | null) =>
    Effect.map(listProjects(workspace), (ps) => ps.map((p) => p.projectName))

  const projectParams = (
    workspace: string | null | undefined,
    projectName: string | null | undefined,
    projectId: string | null | undefined
  ): Effect.Effect<Params, InvalidArgument> => {
    if (projectId !== undefined && projectId !== null)
      return Effect.map(required("projectId", projectId), (id) => ({ projectId: id }))
    return Effect.all({
      workspaceName: required("workspace", workspace),
      projectName: required("projectName", projectName)
    })
  }

  const getProject = (workspace?: string | null, projectName?: string | null, projectId?: string | null) =>
    Effect.flatMap(projectParams(workspace, projectName, projectId), (params) =>
      typeof params.projectId === "string"
        ? Effect.flatMap(get("project", Project, params), sameProject("project", params.projectId))
        : get("project", Project, params)
    )

  const getProjectColumns = (workspace?: string | null, projectName?: string | null, projectId?: string | null) =>
    Effect.flatMap(projectParams(workspace, projectName, projectId), (params) =>
      Effect.map(get("project/column-names", ColumnList, params), (r) => r.columns)
    )

  const getProjectNotes: GetProjectNotesMethod = (first: string | null | undefined, projectName?: string | null) =>
    Effect.gen(function* () {
      const projectId =
        projectName === undefined || projectName === null
          ? yield* required("projectId", first)
          : (yield* getProject(first, projectName)).projectId
      const r = yield* get("project/notes", ProjectNotes, { projectId }).pipe(
        catchNotFound((e) =>
          projectName === undefined || projectName === null
            ? Effect.fail(
                new NotFound({
                  ...e,
                  resource:
                    "project with id (one argument is read as getProjectNotes(projectId); for a project by name give both: getProjectNotes(workspace, projectName))"
                })
              )
            : Effect.fail(e)
        )
      )
      return r.notes ?? ""
    })

  const get_: GetMethod = ((workspace?: string, projectName?: string, experiment?: string) =>
    Effect.gen(function* () {
      const loc = yield* resolveLocation(workspace, projectName, experiment)
      if (loc.workspace === undefined) return yield* getWorkspaces()
      if (loc.projectName === undefined) return yield* getProjects(loc.workspace)
      if (loc.experiment === undefined) return yield* experimentsOf(loc.workspace, loc.projectName, false)
      return yield* experimentAt(loc.workspace, loc.projectName, loc.experiment)
    })) as GetMethod

  const getExperiment: GetExperimentMethod = ((workspace: string, projectName?: string, experimentKey?: string) =>
    Effect.gen(function* () {
      const loc = yield* resolveLocation(workspace, projectName, experimentKey)
      if (loc.workspace === undefined || loc.projectName === undefined || loc.experiment === undefined) {
        return yield* Effect.fail(
          new InvalidArgument({
            argument: "experiment",
            value: [workspace, projectName, experimentKey].filter((x) => x !== undefined).join("/"),
            reason: 'give workspace, project and experiment, or one "workspace/project/experiment" path.'
          })
        )
      }
      return yield* experimentAt(loc.workspace, loc.projectName, loc.experiment)
    })) as GetExperimentMethod

  const getExperimentByKey = (experimentKey: string) => Effect.map(getExperimentMetadata(experimentKey), toExperiment)

  const getExperimentByName = (experimentName: string, location?: ProjectLocation) =>
    Effect.gen(function* () {
      const name = yield* required("experimentName", experimentName)
      const ws = location?.workspace ?? settings.workspace ?? undefined
      const proj = location?.projectName ?? settings.projectName ?? undefined
      if (ws === undefined || proj === undefined) {
        return yield* Effect.fail(
          new ConfigurationError({
            setting: "workspace",
            reason:
              "looking an experiment up by name needs a workspace and project: pass { workspace, projectName }, or set COMET_WORKSPACE and COMET_PROJECT_NAME."
          })
        )
      }
      return yield* findByName(ws, proj, name)
    })

  /** The stream of a list, in one chunk (`Stream.fromIterable`'s iterator-reading code is not needed for an array). */
  const listStream = <A>(list: Effect.Effect<ReadonlyArray<A>, CometError>): Stream.Stream<A, CometError> =>
    Stream.unwrap(Effect.map(list, (items) => Stream.fromChunk(Chunk.unsafeFromArray(items))))

  const streamExperiments = (workspace?: string | null, projectName?: string | null) =>
    Stream.unwrap(
      Effect.map(required("workspace", workspace), (ws) =>
        projectName !== undefined && projectName !== null
          ? listStream(experimentsOf(ws, projectName, false))
          : listStream(getProjects(ws)).pipe(Stream.flatMap((p) => listStream(experimentsOf(ws, p, false))))
      )
    )

  const methods: ExperimentMethods = {
    get: get_,
    getWorkspaces,
    getProjects,
    listProjects,
    getProject,
    getProjectColumns,
    getProjectExperiments: (workspace, projectName) =>
      Effect.gen(function* () {
        const list = yield* listExperiments(
          yield* required("workspace", workspace),
          yield* required("projectName", projectName),
          false
        )
        return Object.fromEntries(list.map((e) => [e.experimentKey, e]))
      }),
    getProjectNotes,
    getExperiment,
    getExperimentByKey,
    getExperimentById: getExperimentByKey,
    getExperimentByName,
    getExperiments: (workspace, projectName, pattern) => experimentsAcross(workspace, projectName, pattern, false),
    getArchivedExperiments: (workspace, projectName, pattern) =>
      experimentsAcross(workspace, projectName, pattern, true),
    streamExperiments,
    getExperimentUrl: (experimentKey) => Effect.map(getExperimentMetadata(experimentKey), (m) => toExperiment(m).url)
  }
  return { methods, listExperiments }
}
