/**
 * The listing commands: `workspaces`, `projects WS`, `experiments WS/PROJ [--query Q]
 * [--archived]` and `columns WS/PROJ`. A table by default; `--format json|ndjson|csv` for
 * programs (JSON carries every field the server sent).
 *
 * @since 0.1.0
 */
import { CometApi, type Experiment } from "@comet-ts/api"
import type { Project, Column as ProjectColumn } from "@comet-ts/core"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { commonOptions, withApi } from "../Client.js"
import { type Column, duration, isoTime, type ListFormat, printList } from "../Output.js"
import { parseProject } from "../Target.js"

/**
 * The `--format` option of the listing commands.
 *
 * @since 0.1.0
 */
export const listFormat = Options.choice("format", ["table", "json", "ndjson", "csv"] as const).pipe(
  Options.withDescription("table (default), json (one array), ndjson (one object a line) or csv."),
  Options.withDefault("table" as ListFormat)
)

/**
 * The `WS/PROJ` argument.
 *
 * @since 0.1.0
 */
export const projectArg = Args.text({ name: "WS/PROJ" }).pipe(
  Args.withDescription("workspace and project, like local-dev/mnist-sweep")
)

/**
 * `comet-ts workspaces`.
 *
 * @since 0.1.0
 */
export const workspaces = Command.make("workspaces", { ...commonOptions, format: listFormat }, (flags) =>
  withApi(
    flags,
    Effect.gen(function* () {
      const names = yield* (yield* CometApi).getWorkspaces()
      const columns: ReadonlyArray<Column<string>> = [{ header: "workspace", value: (n) => n }]
      yield* printList(flags.format, columns, names, (n) => ({ workspaceName: n }))
    })
  )
).pipe(Command.withDescription("List the workspaces this API key can see."))

const projectColumns: ReadonlyArray<Column<Project>> = [
  { header: "project", value: (p) => p.projectName },
  { header: "experiments", value: (p) => p.numberOfExperiments },
  { header: "owner", value: (p) => p.ownerUserName },
  { header: "last updated", value: (p) => isoTime(p.lastUpdated) },
  { header: "public", value: (p) => p.public },
  { header: "description", value: (p) => p.projectDescription }
]

/**
 * `comet-ts projects WS`.
 *
 * @since 0.1.0
 */
export const projects = Command.make(
  "projects",
  {
    ...commonOptions,
    format: listFormat,
    workspace: Args.text({ name: "WS" }).pipe(Args.withDescription("the workspace"))
  },
  (flags) =>
    withApi(
      flags,
      Effect.gen(function* () {
        const list = yield* (yield* CometApi).listProjects(flags.workspace)
        yield* printList(flags.format, projectColumns, list, (p) => p)
      })
    )
).pipe(Command.withDescription("List the projects of a workspace."))

const experimentColumns: ReadonlyArray<Column<Experiment>> = [
  { header: "key", value: (e) => e.key },
  { header: "name", value: (e) => e.name },
  { header: "started", value: (e) => isoTime(e.startServerTimestamp) },
  { header: "duration", value: (e) => duration(e.durationMillis) },
  { header: "file", value: (e) => e.fileName }
]

/**
 * The experiments of a project: all of them, or those a query matches.
 *
 * @since 0.1.0
 */
export const selectExperiments = (
  target: string,
  query: Option.Option<string>,
  archived: boolean
): Effect.Effect<ReadonlyArray<Experiment>, import("@comet-ts/core").CometError, CometApi> =>
  Effect.gen(function* () {
    const { workspace, projectName } = yield* parseProject(target)
    const api = yield* CometApi
    if (Option.isSome(query)) return yield* api.query(workspace, projectName, query.value, { archived })
    return archived
      ? yield* api.getArchivedExperiments(workspace, projectName)
      : yield* api.getExperiments(workspace, projectName)
  })

/**
 * The `--query` option.
 *
 * @since 0.1.0
 */
export const queryOption = Options.text("query").pipe(
  Options.withPseudoName("QUERY"),
  Options.withDescription(
    'a query in the Python SDK\'s syntax, e.g. \'Metric("val_accuracy") >= 0.9 & Parameter("optimizer") == "adam"\' (| and ~ work too)'
  ),
  Options.optional
)

/**
 * The `--archived` option.
 *
 * @since 0.1.0
 */
export const archivedOption = Options.boolean("archived").pipe(
  Options.withDescription("use the archived experiments instead of the active ones")
)

/**
 * `comet-ts experiments WS/PROJ [--query Q] [--archived]`.
 *
 * @since 0.1.0
 */
export const experiments = Command.make(
  "experiments",
  { ...commonOptions, format: listFormat, query: queryOption, archived: archivedOption, project: projectArg },
  (flags) =>
    withApi(
      flags,
      Effect.gen(function* () {
        const list = yield* selectExperiments(flags.project, flags.query, flags.archived)
        yield* printList(flags.format, experimentColumns, list, (e) => ({ ...e.metadata, url: e.url }))
      })
    )
).pipe(Command.withDescription("List the experiments of a project, or those a query matches."))

const columnColumns: ReadonlyArray<Column<ProjectColumn>> = [
  { header: "name", value: (c) => c.name },
  { header: "type", value: (c) => c.type },
  { header: "source", value: (c) => c.source }
]

/**
 * `comet-ts columns WS/PROJ`.
 *
 * @since 0.1.0
 */
export const columns = Command.make("columns", { ...commonOptions, format: listFormat, project: projectArg }, (flags) =>
  withApi(
    flags,
    Effect.gen(function* () {
      const { workspace, projectName } = yield* parseProject(flags.project)
      const list = yield* (yield* CometApi).getProjectColumns(workspace, projectName)
      yield* printList(flags.format, columnColumns, list, (c) => c)
    })
  )
).pipe(Command.withDescription("List the columns of a project: what queries can name, with their types."))
