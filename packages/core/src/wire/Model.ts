/**
 * Models logged to an experiment (comet-rest-v2.md §3.12).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ExperimentKey, ExperimentModelId } from "../Ids.js"
import { list, nullable, WireNumber } from "./Common.js"

/**
 * A model-registry record attached to an experiment model.
 *
 * @since 0.1.0
 */
export const RegistryRecord = Schema.Struct({
  registryModelId: nullable(Schema.String),
  registryModelItemId: nullable(Schema.String),
  registryModelName: nullable(Schema.String),
  version: nullable(Schema.String),
  createdAt: nullable(WireNumber)
}).annotations({ identifier: "RegistryRecord" })
/** @since 0.1.0 */
export type RegistryRecord = typeof RegistryRecord.Type

/**
 * One model of `GET experiment/model`.
 *
 * @since 0.1.0
 */
export const ExperimentModel = Schema.Struct({
  experimentModelId: ExperimentModelId,
  experimentKey: ExperimentKey,
  modelName: Schema.String,
  registryRecords: list(RegistryRecord)
}).annotations({ identifier: "ExperimentModel" })
/** @since 0.1.0 */
export type ExperimentModel = typeof ExperimentModel.Type

/**
 * `GET experiment/model?experimentKey=` → `{ models: [...] }`.
 *
 * @since 0.1.0
 */
export const ExperimentModelList = Schema.Struct({ models: Schema.Array(ExperimentModel) }).annotations({
  identifier: "ExperimentModelList"
})
/** @since 0.1.0 */
export type ExperimentModelList = typeof ExperimentModelList.Type
