/**
 * Typed query variables from a project's columns: what the Python SDK's
 * `API.get_query_variables()` returns (comet-rest-v2.md §4.9).
 *
 * @since 0.1.0
 */
import { type Column, type ColumnType, isKnownColumn } from "@comet-ts/core"
import { Environment, Metadata, Metric, Other, Parameter, type QueryVariable, Tag, type TagQuery } from "./Query.js"

const builders = {
  metadata: Metadata,
  metrics: Metric,
  params: Parameter,
  log_other: Other,
  env_details: Environment
} as const

const knownType = (type: string): ColumnType | undefined =>
  isKnownColumn({ name: "", id: "", type, source: "metadata" }) ? (type as ColumnType) : undefined

/**
 * One variable per column, in the columns' order: `Metadata`, `Metric`, `Parameter`, `Other`,
 * `Environment` with the column's type declared (`qtype` in Python), and `Tag(name)` for `tag`
 * columns. Columns of an unknown source are skipped, as Python does; a column of an unknown type
 * gives a variable without a declared type.
 *
 * @since 0.1.0
 */
export const queryVariables = (columns: ReadonlyArray<Column>): ReadonlyArray<QueryVariable | TagQuery> => {
  const out: Array<QueryVariable | TagQuery> = []
  for (const column of columns) {
    if (column.source === "tag") {
      out.push(Tag(column.name))
      continue
    }
    if (!Object.hasOwn(builders, column.source)) continue
    const make = builders[column.source as keyof typeof builders]
    const type = knownType(column.type)
    out.push(type === undefined ? make(column.name) : make(column.name, type))
  }
  return out
}
