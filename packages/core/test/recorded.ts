/**
 * The real Comet responses under `fixtures/recorded/`, and the wire Schema each one must decode
 * with (shared by the decode tests).
 */
import { join } from "node:path"
import type { Schema } from "effect"
import * as Core from "../src/index.js"

/** Where the recorded responses are. */
export const recordedDir = join(import.meta.dirname, "fixtures", "recorded")

/** Each recorded response's file name → its wire Schema. */
export const recordedSchemas: Readonly<Record<string, Schema.Schema.AnyNoContext>> = {
  "workspaces.json": Core.WorkspaceList,
  "projects-dafb61.json": Core.ProjectList,
  "experiments-1280bb.json": Core.ExperimentList,
  "project_column-names-1280bb.json": Core.ColumnList,
  "project_column-names-4ec64e.json": Core.ColumnList,
  "experiments_multi-metric-chart-df83ef-POST.json": Core.MetricsChartResponse
}
