/**
 * Experiment list entries and experiment metadata (comet-rest-v2.md §2.8–§2.9).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ExperimentKey, ProjectId } from "../Ids.js"
import { flag, nullable, present, WireNumber } from "./Common.js"

/**
 * The fields the Python SDK calls "standard in json" (`APIExperiment._ATTR_FIELD_MAP`; all in
 * the recorded `experiments` answer) are required; `optimizationId` ("optional in json") may be
 * absent.
 */
const experimentFields = {
  experimentKey: ExperimentKey,
  experimentName: present(Schema.String),
  optimizationId: nullable(Schema.String),
  projectId: ProjectId,
  projectName: Schema.String,
  workspaceName: Schema.String,
  filePath: present(Schema.String),
  fileName: present(Schema.String),
  durationMillis: present(WireNumber),
  startTimeMillis: present(WireNumber),
  endTimeMillis: present(WireNumber),
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
 * `GET experiment/metadata?experimentKey=` → the metadata object (not wrapped). Beyond the
 * list entry's fields, `userName`, `running`, `throttle` and the throttle details are read
 * where present (older servers lack them; `throttleMessage` and `throttleReasons` come only
 * when `throttle` is true).
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
