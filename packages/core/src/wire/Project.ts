/**
 * Projects, project notes and project column names (comet-rest-v2.md §2.3–§2.7).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ProjectId } from "../Ids.js"
import { nullable, present, WireNumber } from "./Common.js"

/**
 * One project, as `GET project` returns it and as each entry of `GET projects`. Every field of
 * the recorded answer is required (the nullable ones may be null).
 *
 * @since 0.1.0
 */
export const Project = Schema.Struct({
  projectId: ProjectId,
  projectName: Schema.String,
  ownerUserName: present(Schema.String),
  projectDescription: present(Schema.String),
  workspaceName: Schema.String,
  numberOfExperiments: present(WireNumber),
  lastUpdated: present(WireNumber),
  public: Schema.Boolean
}).annotations({ identifier: "Project" })
/** @since 0.1.0 */
export type Project = typeof Project.Type

/**
 * `GET projects?workspaceName=` → `{ projects: [...] }`.
 *
 * @since 0.1.0
 */
export const ProjectList = Schema.Struct({ projects: Schema.Array(Project) }).annotations({
  identifier: "ProjectList"
})
/** @since 0.1.0 */
export type ProjectList = typeof ProjectList.Type

/**
 * `GET project/notes?projectId=` → `{ notes }`. The key is required (an answer without it is
 * not the notes); its value may be null.
 *
 * @since 0.1.0
 */
export const ProjectNotes = Schema.Struct({ notes: present(Schema.String) }).annotations({
  identifier: "ProjectNotes"
})
/** @since 0.1.0 */
export type ProjectNotes = typeof ProjectNotes.Type

/**
 * The column types Comet knows (`rule.type` in queries).
 *
 * @since 0.1.0
 */
export const ColumnType = Schema.Literal("string", "boolean", "double", "datetime", "timenumber")
/** @since 0.1.0 */
export type ColumnType = typeof ColumnType.Type

/**
 * The column sources Comet knows (`predicate.source` in queries).
 *
 * @since 0.1.0
 */
export const ColumnSource = Schema.Literal("metadata", "metrics", "params", "log_other", "tag", "env_details")
/** @since 0.1.0 */
export type ColumnSource = typeof ColumnSource.Type

/**
 * One project column. `type` and `source` stay open strings on decode so that a server adding a
 * new kind does not break the whole list; {@link isKnownColumn} narrows them.
 *
 * @since 0.1.0
 */
export const Column = Schema.Struct({
  name: Schema.String,
  id: Schema.String,
  type: Schema.String,
  source: Schema.String
}).annotations({ identifier: "Column" })
/** @since 0.1.0 */
export type Column = typeof Column.Type

/**
 * A column whose type and source are among those Comet documents.
 *
 * @since 0.1.0
 */
export interface KnownColumn extends Column {
  readonly type: ColumnType
  readonly source: ColumnSource
}

const isColumnType = Schema.is(ColumnType)
const isColumnSource = Schema.is(ColumnSource)

/**
 * Whether a column's type and source are both known.
 *
 * @since 0.1.0
 */
export const isKnownColumn = (c: Column): c is KnownColumn => isColumnType(c.type) && isColumnSource(c.source)

/**
 * `GET project/column-names` → `{ columns: [...] }`.
 *
 * @since 0.1.0
 */
export const ColumnList = Schema.Struct({ columns: Schema.Array(Column) }).annotations({ identifier: "ColumnList" })
/** @since 0.1.0 */
export type ColumnList = typeof ColumnList.Type

/**
 * One row of `GET projects/page` (documented only; no SDK uses it). Row-level counts are
 * strings on the wire, as the docs show.
 *
 * @since 0.1.0
 */
export const ProjectPageRow = /* @__PURE__ */ Schema.Struct({
  projectId: ProjectId,
  userName: nullable(Schema.String),
  projectName: Schema.String,
  projectDesc: nullable(Schema.String),
  generalProject: nullable(Schema.Boolean),
  totalRowCount: nullable(WireNumber),
  filteredRowCount: nullable(WireNumber),
  experimentCount: nullable(WireNumber),
  imagePath: nullable(Schema.String),
  isPublic: nullable(Schema.Boolean),
  teamId: nullable(Schema.String),
  created_at: nullable(WireNumber),
  lastUpdated: nullable(WireNumber),
  lastUpdatedByUser: nullable(WireNumber),
  isStarterProject: nullable(Schema.Boolean),
  teamName: nullable(Schema.String),
  isInProjectTeam: nullable(Schema.Boolean),
  owner: nullable(Schema.Boolean),
  canEdit: nullable(Schema.Boolean)
}).annotations({ identifier: "ProjectPageRow" })
/** @since 0.1.0 */
export type ProjectPageRow = typeof ProjectPageRow.Type

/**
 * `GET projects/page?workspaceName=&offset=&count=…` → `{ rows, filteredRowCount, totalRowCount }`.
 *
 * @since 0.1.0
 */
export const ProjectPage = /* @__PURE__ */ Schema.Struct({
  rows: Schema.Array(ProjectPageRow),
  filteredRowCount: WireNumber,
  totalRowCount: WireNumber
}).annotations({ identifier: "ProjectPage" })
/** @since 0.1.0 */
export type ProjectPage = typeof ProjectPage.Type
