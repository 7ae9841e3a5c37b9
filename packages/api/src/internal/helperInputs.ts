/**
 * The arguments of the dashboard helpers (`Chart`, `Summaries`) from plain JavaScript: a value
 * that is no series, no chart, no summary or no aggregate name throws the `InvalidArgument`
 * naming the helper and the argument — never a `TypeError`, and never the `null` that means
 * "nothing logged" (`Chart.last(chart[key])`, an experiment where a series belongs, read as a
 * run with no values).
 *
 * @internal
 */
import { InvalidArgument } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"

const isObject = (u: unknown): u is object => typeof u === "object" && u !== null

const hasArray = (u: unknown, name: string): boolean => isObject(u) && Array.isArray(Inputs.ownValue(u, name))

const fail = (helper: string, argument: string, value: unknown, expected: string): never => {
  throw new InvalidArgument({
    argument: `${argument} of ${helper}`,
    value: Inputs.renderValue(value),
    reason: `must be ${expected}, not ${Inputs.describeValue(value)}`
  })
}

/** A series (`ChartMetric`, with its `values`), or null/undefined for "none". */
export const checkSeries = (helper: string, metric: unknown): void => {
  if (metric === null || metric === undefined || hasArray(metric, "values")) return
  if (hasArray(metric, "metrics"))
    throw new InvalidArgument({
      argument: `metric of ${helper}`,
      value: "an experiment's chart",
      reason:
        "must be a series, not an experiment's chart (chart[key]): pick its series with Chart.series(experiment, name)"
    })
  fail(helper, "metric", metric, "a series (Chart.series(experiment, name)), null or undefined")
}

/** An experiment of a chart (`ChartExperiment`, with its `metrics`), or null/undefined for "none". */
export const checkExperiment = (helper: string, experiment: unknown, argument = "experiment", none = true): void => {
  if ((none && (experiment === null || experiment === undefined)) || hasArray(experiment, "metrics")) return
  fail(helper, argument, experiment, `an experiment of a chart (chart[key])${none ? ", null or undefined" : ""}`)
}

/** A string argument (a metric name). */
export const checkText = (helper: string, argument: string, value: unknown): void => {
  if (typeof value !== "string") fail(helper, argument, value, "a string")
}

/** A number argument (a step). */
export const checkNumber = (helper: string, argument: string, value: unknown): void => {
  if (typeof value !== "number") fail(helper, argument, value, "a number")
}

/** One of `"last"`, `"min"`, `"max"`. */
export const checkAggregate = (helper: string, value: unknown): void => {
  if (value !== "last" && value !== "min" && value !== "max") fail(helper, "aggregate", value, '"last", "min" or "max"')
}

/** A chart (`getMetricsForChart`'s result, or an iterable of its experiments). */
export const checkChart = (helper: string, chart: unknown): void => {
  if (!isObject(chart))
    fail(helper, "chart", chart, "a chart (the result of getMetricsForChart) or an array of its experiments")
}

/** An array of summaries, each with its `name`. */
export const checkSummaries = (helper: string, summaries: unknown): void => {
  if (!Array.isArray(summaries)) fail(helper, "summaries", summaries, "an array of summaries")
  ;(summaries as ReadonlyArray<unknown>).forEach((s, i) => {
    if (!isObject(s) || typeof Inputs.ownValue(s, "name") !== "string")
      fail(helper, `summaries[${i}]`, s, "a summary (with its name)")
  })
}

/** A summary read as numbers (`Summaries.byName(...).get(name)`), or null/undefined for "none". */
export const checkNumericSummary = (helper: string, summary: unknown): void => {
  if (summary === null || summary === undefined) return
  if (!isObject(summary) || !("last" in summary) || !("max" in summary) || !("min" in summary))
    fail(helper, "summary", summary, "a summary read by Summaries.byName or Summaries.numeric, null or undefined")
}
