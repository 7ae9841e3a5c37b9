/**
 * Helpers shared by the query tests: a column from its name, source and type, and the column
 * list recorded from a real project (core's fixtures).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { type Column, ColumnList } from "@comet-ts/core"
import { Schema } from "effect"

/** A column as `project/column-names` gives it (`id` is `name--source`). */
export const col = (name: string, source: string, type: string): Column => ({
  name,
  id: `${name}--${source}`,
  type,
  source
})

/** The columns of a real project, as Comet sent them (`project_column-names-1280bb.json`). */
export const recordedColumns = (): ReadonlyArray<Column> =>
  Schema.decodeUnknownSync(ColumnList)(
    JSON.parse(
      readFileSync(
        join(import.meta.dirname, "../../core/test/fixtures/recorded/project_column-names-1280bb.json"),
        "utf8"
      )
    )
  ).columns
