/**
 * Helpers for what every dashboard does with a multi-metric chart result
 * (`getMetricsForChart`, comet-rest-v2.md §3.5): a series by metric name (not by position), its
 * last / smallest / largest value or its value at a step, a tidy view with one row per
 * (experiment, metric, point), and the chart of many experiments as a Stream, chunk by chunk, so
 * a large export never holds every curve at once.
 *
 * Missing points (`null` in `values`) are skipped everywhere; NaN and ±Infinity are values a run
 * logged and are kept (`last` can be NaN: a run that diverged did not end well), but `min` and
 * `max` ignore NaN, which has no order.
 *
 * @since 0.1.0
 */
import type { ChartExperiment, ChartMetric, CometError } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { type ChartOptions, CometApi } from "./CometApi.js"
import { chartChunkSize } from "./internal/chartChunks.js"
import {
  checkAggregate,
  checkChart,
  checkExperiment,
  checkNumber,
  checkSeries,
  checkText
} from "./internal/helperInputs.js"

/**
 * One logged point of a series.
 *
 * @since 0.1.0
 */
export interface Point {
  /** The step, or null when the server sent none. */
  readonly step: number | null
  /** The epoch, or null. */
  readonly epoch: number | null
  /** Epoch milliseconds when the value was logged, or null. */
  readonly timestamp: number | null
  /** The value (may be NaN or ±Infinity when the run logged those). */
  readonly value: number
}

/**
 * One row of the tidy view of a chart: one logged point of one metric of one experiment.
 *
 * @since 0.1.0
 */
export interface TidyRow extends Point {
  /** The experiment key. */
  readonly experimentKey: string
  /** The experiment name, or null. */
  readonly experimentName: string | null
  /** The metric name. */
  readonly metric: string
}

/**
 * How many values of a series are reduced to one: the last logged value, the smallest or the
 * largest.
 *
 * @since 0.1.0
 */
export type Aggregate = "last" | "min" | "max"

/**
 * The series of a metric, by name; null when the experiment (or the chart) has none. When a
 * name appears twice (a server quirk), the first is used.
 *
 * @since 0.1.0
 */
export const series = (experiment: ChartExperiment | null | undefined, metric: string): ChartMetric | null => {
  checkExperiment("Chart.series", experiment)
  checkText("Chart.series", "metric", metric)
  return experiment?.metrics.find((m) => m.metricName === metric) ?? null
}

/**
 * Every series of an experiment, by metric name (first wins on duplicates).
 *
 * @since 0.1.0
 */
export const seriesByName = (experiment: ChartExperiment | null | undefined): ReadonlyMap<string, ChartMetric> => {
  checkExperiment("Chart.seriesByName", experiment)
  const out = new Map<string, ChartMetric>()
  for (const m of experiment?.metrics ?? []) if (!out.has(m.metricName)) out.set(m.metricName, m)
  return out
}

/** The x-axis value at i: the series' own array, else the experiment's shared one (aligned charts). */
const axis = (own: ReadonlyArray<number | null> | null, shared: ReadonlyArray<number | null> | null, i: number) =>
  own?.[i] ?? (own === null ? (shared?.[i] ?? null) : null)

/**
 * The logged points of a series, in order, skipping missing values. Pass the experiment too
 * for charts fetched with `independentMetrics: false`, whose series share its step axis.
 *
 * @since 0.1.0
 */
export const points = (
  metric: ChartMetric | null | undefined,
  experiment?: ChartExperiment | null
): ReadonlyArray<Point> => {
  checkSeries("Chart.points", metric)
  checkExperiment("Chart.points", experiment)
  if (metric === null || metric === undefined) return []
  const out: Array<Point> = []
  const { values } = metric
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (value === null || value === undefined) continue
    out.push({
      step: axis(metric.steps, experiment?.steps ?? null, i),
      epoch: axis(metric.epochs, experiment?.epochs ?? null, i),
      timestamp: metric.timestamps?.[i] ?? null,
      value
    })
  }
  return out
}

/**
 * The last logged value of a series (NaN when the run last logged NaN), or null when it has none.
 *
 * @since 0.1.0
 */
export const last = (metric: ChartMetric | null | undefined): number | null => {
  checkSeries("Chart.last", metric)
  const values = metric?.values ?? []
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i]
    if (v !== null && v !== undefined) return v
  }
  return null
}

const extreme = (helper: string, metric: ChartMetric | null | undefined, better: (a: number, b: number) => boolean) => {
  checkSeries(helper, metric)
  let best: number | null = null
  for (const v of metric?.values ?? []) {
    if (v === null || Number.isNaN(v)) continue
    if (best === null || better(v, best)) best = v
  }
  return best
}

/**
 * The smallest value of a series (NaN ignored), or null when it has none.
 *
 * @since 0.1.0
 */
export const min = (metric: ChartMetric | null | undefined): number | null =>
  extreme("Chart.min", metric, (a, b) => a < b)

/**
 * The largest value of a series (NaN ignored), or null when it has none.
 *
 * @since 0.1.0
 */
export const max = (metric: ChartMetric | null | undefined): number | null =>
  extreme("Chart.max", metric, (a, b) => a > b)

/**
 * The value logged at exactly `step` (the last one when several were), or null when none was.
 * Pass the experiment for charts fetched with `independentMetrics: false`.
 *
 * @since 0.1.0
 */
export const valueAtStep = (
  metric: ChartMetric | null | undefined,
  step: number,
  experiment?: ChartExperiment | null
): number | null => {
  checkSeries("Chart.valueAtStep", metric)
  checkNumber("Chart.valueAtStep", "step", step)
  checkExperiment("Chart.valueAtStep", experiment)
  if (metric === null || metric === undefined) return null
  const values = metric.values
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i]
    if (v !== null && v !== undefined && axis(metric.steps, experiment?.steps ?? null, i) === step) return v
  }
  return null
}

/**
 * A series reduced to one value by {@link Aggregate}.
 *
 * @since 0.1.0
 */
export const aggregate = (metric: ChartMetric | null | undefined, how: Aggregate): number | null => {
  checkAggregate("Chart.aggregate", how)
  return how === "last" ? last(metric) : how === "min" ? min(metric) : max(metric)
}

/**
 * The tidy view of a chart: one row per (experiment, metric, logged point), experiments in the
 * order given (or the result's order), metrics in the server's order, points in order. Lazy: rows
 * are produced as they are read.
 *
 * @since 0.1.0
 */
export function* rows(
  chart: Readonly<Record<string, ChartExperiment>> | Iterable<ChartExperiment>
): Generator<TidyRow, void, undefined> {
  checkChart("Chart.rows", chart)
  const experiments: Iterable<ChartExperiment> =
    Symbol.iterator in chart
      ? (chart as Iterable<ChartExperiment>)
      : Object.values(chart as Readonly<Record<string, ChartExperiment>>)
  for (const e of experiments) {
    checkExperiment("Chart.rows", e, "chart entry", false)
    for (const m of e.metrics) {
      for (const p of points(m, e)) {
        yield {
          experimentKey: e.experimentKey,
          experimentName: e.experimentName,
          metric: m.metricName,
          step: p.step,
          epoch: p.epoch,
          timestamp: p.timestamp,
          value: p.value
        }
      }
    }
  }
}

/**
 * Options of {@link stream}.
 *
 * @since 0.1.0
 */
export interface StreamOptions extends Omit<ChartOptions, "onProgress"> {
  /** Experiments per request. Default: what `getMetricsForChart` chooses for the metrics and `fetchFull`. */
  readonly chunkSize?: number | undefined
  /** Chunks in flight while earlier ones are consumed. Default 2. */
  readonly concurrency?: number | undefined
  /** Called after each chunk with (experiments fetched, experiments in all). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined
}

/**
 * The chart of many experiments as a Stream of experiments, in the order given (duplicates
 * dropped; experiments the server has no data for are left out), fetched chunk by chunk with
 * `CometApi.getMetricsForChart`: at most `concurrency` chunks are held at once, however many
 * experiments there are. A failed chunk fails the stream with its typed error.
 *
 * @since 0.1.0
 */
export const stream = (
  experiments: ReadonlyArray<string | { readonly key: string }>,
  metrics: ReadonlyArray<string>,
  parameters?: ReadonlyArray<string>,
  options: StreamOptions = {}
): Stream.Stream<ChartExperiment, CometError, CometApi> => {
  // a misspelt option (`{ chunksize }`, `{ full }`) would be dropped: refused, as every call's are
  // read once: a getter that throws is the InvalidArgument naming it, never an exception
  const read = Inputs.argumentOf(options, STREAM_OPTION_NAMES, "Chart.stream", "options", true)
  return Either.isLeft(read) ? Stream.fail(read.left) : streamChecked(experiments, metrics, parameters, read.right)
}

/** The names of {@link StreamOptions}, complete by type. */
const STREAM_OPTION_NAMES: ReadonlyArray<string> = Object.keys({
  independentMetrics: true,
  fetchFull: true,
  chunkSize: true,
  concurrency: true,
  onProgress: true
} satisfies Record<keyof StreamOptions, true>)

const streamChecked = (
  experiments: ReadonlyArray<string | { readonly key: string }>,
  metrics: ReadonlyArray<string>,
  parameters: ReadonlyArray<string> | undefined,
  options: StreamOptions
): Stream.Stream<ChartExperiment, CometError, CometApi> => {
  const keys = [...new Set(experiments.map((e) => (typeof e === "string" ? e : e.key)))]
  const full = options.fetchFull ?? false
  const size = Math.max(1, Math.floor(options.chunkSize ?? chartChunkSize(metrics.length, full)))
  const chartOptions: ChartOptions = { independentMetrics: options.independentMetrics, fetchFull: full }
  let done = 0
  return Stream.fromIterable(Arr.chunksOf(keys, size)).pipe(
    Stream.mapEffect(
      (chunk) =>
        Effect.flatMap(CometApi, (api) => api.getMetricsForChart(chunk, metrics, parameters, chartOptions)).pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              done += chunk.length
              options.onProgress?.(done, keys.length)
            })
          ),
          Effect.map((result) => chunk.flatMap((k) => (result[k] === undefined ? [] : [result[k]])))
        ),
      { concurrency: Math.max(1, options.concurrency ?? 2) }
    ),
    Stream.flattenIterables
  )
}
