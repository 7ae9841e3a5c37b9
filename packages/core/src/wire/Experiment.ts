/**
 * Experiment list entries and experiment metadata (comet-rest-v2.md §2.8–§2.9).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ExperimentKey, ProjectId } from "../Ids.js"
import { flag, nullable, WireNumber } from "./Common.js"

const experimentFields = {
  experimentKey: ExperimentKey,
  experimentName: nullable(Schema.String),
  optimizationId: nullable(Schema.String),
  projectId: ProjectId,
  projectName: Schema.String,
  workspaceName: Schema.String,
  filePath: nullable(Schema.String),
  fileName: nullable(Schema.String),
  durationMillis: nullable(WireNumber),
  startTimeMillis: nullable(WireNumber),
  endTimeMillis: nullable(WireNumber),
  archived: Schema.Boolean
}

/**
 * One entry of `GET experiments`.
 *
 * @since 0.1.0
 */
export const ExperimentSummary = Schema.Struct(experimentFields).annotations({ identifier: "ExperimentSummary" })
/** @since 0.1.0 */
export type ExperimentSummary = typeof ExperimentSummary.Type

/**
 * `GET experiments?workspaceName=&projectName=` (or `?projectId=`) → `{ experiments: [...] }`.
 *
 * @since 0.1.0
 */
export const ExperimentList = Schema.Struct({ experiments: Schema.Array(ExperimentSummary) }).annotations({
  identifier: "ExperimentList"
})
/** @since 0.1.0 */
export type ExperimentList = typeof ExperimentList.Type

/**
 * `GET experiment/metadata?experimentKey=` → the metadata object (not wrapped).
 *
 * @since 0.1.0
 */
export const ExperimentMetadata = Schema.Struct({
  ...experimentFields,
  userName: nullable(Schema.String),
  running: flag,
  /** Whether the run ended by crashing (comet_ml 3.58.8's `get_state()` reads it; false when absent). */
  hasCrashed: flag,
  throttle: flag,
  throttleMessage: nullable(Schema.String),
  throttleReasons: nullable(Schema.Array(Schema.String))
}).annotations({ identifier: "ExperimentMetadata" })
/** @since 0.1.0 */
export type ExperimentMetadata = typeof ExperimentMetadata.Type
