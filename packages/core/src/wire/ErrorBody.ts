/**
 * Comet's error body (comet-rest-v2.md §5.1).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { WireNumber } from "./Common.js"

/**
 * `{ code, msg, sdk_error_code }`, sent with every error status. All keys optional on decode.
 *
 * @since 0.1.0
 */
export const ErrorBody = Schema.Struct({
  code: Schema.optional(WireNumber),
  msg: Schema.optional(Schema.String),
  sdk_error_code: Schema.optional(WireNumber),
  logMsg: Schema.optional(Schema.NullOr(Schema.String)),
  params: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
}).annotations({ identifier: "ErrorBody" })
/** @since 0.1.0 */
export type ErrorBody = typeof ErrorBody.Type
