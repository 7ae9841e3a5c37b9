/**
 * Branded identifiers, so that an experiment key, a project id and an asset id — all opaque
 * strings on the wire — cannot be mixed up in user code.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * An experiment key (32 lowercase hex characters on Comet's servers).
 *
 * @since 0.1.0
 */
export const ExperimentKey = Schema.String.pipe(Schema.brand("@comet-ts/ExperimentKey"))
/** @since 0.1.0 */
export type ExperimentKey = typeof ExperimentKey.Type

/**
 * A project id (32 lowercase hex characters on Comet's servers).
 *
 * @since 0.1.0
 */
export const ProjectId = Schema.String.pipe(Schema.brand("@comet-ts/ProjectId"))
/** @since 0.1.0 */
export type ProjectId = typeof ProjectId.Type

/**
 * An asset id (an opaque string).
 *
 * @since 0.1.0
 */
export const AssetId = Schema.String.pipe(Schema.brand("@comet-ts/AssetId"))
/** @since 0.1.0 */
export type AssetId = typeof AssetId.Type

/**
 * The id of a model logged to an experiment (an opaque string).
 *
 * @since 0.1.0
 */
export const ExperimentModelId = Schema.String.pipe(Schema.brand("@comet-ts/ExperimentModelId"))
/** @since 0.1.0 */
export type ExperimentModelId = typeof ExperimentModelId.Type
