/**
 * The backend version probe `GET /clientlib/isAlive/ver` (comet-rest-v2.md §1.6).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * `{ "version": "X.Y.Z" }`.
 *
 * @since 0.1.0
 */
export const BackendVersion = Schema.Struct({ version: Schema.String }).annotations({ identifier: "BackendVersion" })
/** @since 0.1.0 */
export type BackendVersion = typeof BackendVersion.Type
