/**
 * The history of one metric (comet-rest-v2.md §3.4).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { nullable, WireNumber, WireString } from "./Common.js"

/**
 * One logged metric value. `metricValue` is a string on the wire.
 *
 * @since 0.1.0
 */
export const MetricPoint = Schema.Struct({
  metricName: Schema.String,
  metricValue: WireString,
  timestamp: nullable(WireNumber),
  step: nullable(WireNumber),
  epoch: nullable(WireNumber),
  runContext: nullable(Schema.String),
  offset: nullable(WireNumber)
}).annotations({ identifier: "MetricPoint" })
/** @since 0.1.0 */
export type MetricPoint = typeof MetricPoint.Type

/**
 * `GET experiment/metrics/get-metric?experimentKey=&metricName=` → `{ metrics: [...] }`.
 *
 * @since 0.1.0
 */
export const MetricHistory = Schema.Struct({ metrics: Schema.Array(MetricPoint) }).annotations({
  identifier: "MetricHistory"
})
/** @since 0.1.0 */
export type MetricHistory = typeof MetricHistory.Type
