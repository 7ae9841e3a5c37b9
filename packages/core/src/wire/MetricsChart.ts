/**
 * The multi-metric chart request and response (comet-rest-v2.md §3.5).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ExperimentKey } from "../Ids.js"
import { NumericArray, nullable } from "./Common.js"

/**
 * The body of `POST experiments/multi-metric-chart`: exactly the five keys the Python SDK
 * sends.
 *
 * @since 0.1.0
 */
export const MetricsChartRequest = /* @__PURE__ */ Schema.Struct({
  targetedExperiments: Schema.Array(Schema.String),
  metrics: Schema.NullOr(Schema.Array(Schema.String)),
  params: Schema.NullOr(Schema.Array(Schema.String)),
  independentMetrics: Schema.Boolean,
  fetchFull: Schema.Boolean
}).annotations({ identifier: "MetricsChartRequest" })
/** @since 0.1.0 */
export type MetricsChartRequest = typeof MetricsChartRequest.Type

/**
 * One metric of one experiment: parallel arrays of values and x-axes.
 *
 * @since 0.1.0
 */
export const ChartMetric = Schema.Struct({
  metricName: Schema.String,
  values: NumericArray,
  steps: nullable(NumericArray),
  epochs: nullable(NumericArray),
  timestamps: nullable(NumericArray),
  durations: nullable(NumericArray)
}).annotations({ identifier: "ChartMetric" })
/** @since 0.1.0 */
export type ChartMetric = typeof ChartMetric.Type

/**
 * A parameter value in a chart response (strings on Comet's servers; numbers and booleans
 * tolerated).
 *
 * @since 0.1.0
 */
export const ChartParamValue = Schema.Union(Schema.String, Schema.Number, Schema.Boolean, Schema.Null)
/** @since 0.1.0 */
export type ChartParamValue = typeof ChartParamValue.Type

/**
 * One experiment of a chart response.
 *
 * @since 0.1.0
 */
export const ChartExperiment = Schema.Struct({
  experimentKey: ExperimentKey,
  experimentName: nullable(Schema.String),
  steps: nullable(NumericArray),
  epochs: nullable(NumericArray),
  metrics: Schema.Array(ChartMetric),
  params: nullable(Schema.Record({ key: Schema.String, value: ChartParamValue }))
}).annotations({ identifier: "ChartExperiment" })
/** @since 0.1.0 */
export type ChartExperiment = typeof ChartExperiment.Type

/**
 * The response of `POST experiments/multi-metric-chart`: experiments keyed by experiment key.
 *
 * @since 0.1.0
 */
export const MetricsChartResponse = Schema.Struct({
  experiments: Schema.Record({ key: Schema.String, value: ChartExperiment }),
  empty: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "MetricsChartResponse" })
/** @since 0.1.0 */
export type MetricsChartResponse = typeof MetricsChartResponse.Type
