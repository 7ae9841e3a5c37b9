/**
 * Metric, parameter and log-other summaries read as numbers. Comet sends every summary value as
 * a string (comet-rest-v2.md §3.2); these helpers read them the way comet_ml does with `float()`
 * and say plainly when a value is not a number (a parameter like `"adam"`), instead of a `NaN`
 * that looks like data.
 *
 * @since 0.1.0
 */
import { parseNumber, type Summary } from "@comet-ts/core"
import { checkAggregate, checkNumericSummary, checkSummaries } from "./internal/helperInputs.js"

/**
 * One value of a summary: `number` when the text is a number (NaN and ±Infinity included, as
 * written by Python), `null` when the server sent no value; a value that is text but not a number
 * is kept as `{ text }`.
 *
 * @since 0.1.0
 */
export type SummaryValue = number | null | { readonly text: string }

/**
 * A summary with its values read as numbers. `last`, `min` and `max` are the last logged value
 * and the smallest and largest (Comet's `valueCurrent`, `valueMin`, `valueMax`); each step is
 * the step where that value was logged.
 *
 * @since 0.1.0
 */
export interface NumericSummary {
  /** The metric, parameter or log-other name. */
  readonly name: string
  /** The last logged value (`valueCurrent`). */
  readonly last: SummaryValue
  /** The smallest value (`valueMin`). */
  readonly min: SummaryValue
  /** The largest value (`valueMax`). */
  readonly max: SummaryValue
  /** Step of the last value, or null. */
  readonly lastStep: number | null
  /** Step of the smallest value, or null. */
  readonly minStep: number | null
  /** Step of the largest value, or null. */
  readonly maxStep: number | null
  /** Epoch-millisecond timestamp of the last value, or null. */
  readonly lastTimestamp: number | null
  /** The summary as it came from the wire. */
  readonly summary: Summary
}

/**
 * Which value of a summary: the last logged one, the smallest or the largest.
 *
 * @since 0.1.0
 */
export type SummaryAggregate = "last" | "min" | "max"

/**
 * Read one wire text as a {@link SummaryValue}.
 *
 * @since 0.1.0
 */
export const readValue = (text: string | null): SummaryValue => {
  if (text === null) return null
  const n = parseNumber(text)
  return n === undefined ? { text } : n
}

/**
 * A summary's values as numbers.
 *
 * @since 0.1.0
 */
export const numeric = (summary: Summary): NumericSummary => {
  checkSummaries("Summaries.numeric", [summary])
  return numericOf(summary)
}

const numericOf = (summary: Summary): NumericSummary => ({
  name: summary.name,
  last: readValue(summary.valueCurrent),
  min: readValue(summary.valueMin),
  max: readValue(summary.valueMax),
  lastStep: summary.stepCurrent,
  minStep: summary.stepMin,
  maxStep: summary.stepMax,
  lastTimestamp: summary.timestampCurrent,
  summary
})

/**
 * Summaries by name, values as numbers. When a name appears twice (a server quirk), the first
 * entry is kept, as a lookup in the list would find it.
 *
 * @since 0.1.0
 */
export const byName = (summaries: ReadonlyArray<Summary>): ReadonlyMap<string, NumericSummary> => {
  checkSummaries("Summaries.byName", summaries)
  const out = new Map<string, NumericSummary>()
  for (const s of summaries) if (!out.has(s.name)) out.set(s.name, numericOf(s))
  return out
}

/**
 * The number of one value, or null when it is missing or not a number.
 *
 * @since 0.1.0
 */
export const toNumber = (value: SummaryValue): number | null => (typeof value === "number" ? value : null)

/**
 * The chosen value of a summary as a number, or null when it is missing or not a number.
 *
 * @since 0.1.0
 */
export const value = (summary: NumericSummary | null | undefined, aggregate: SummaryAggregate): number | null => {
  checkNumericSummary("Summaries.value", summary)
  checkAggregate("Summaries.value", aggregate)
  return summary === null || summary === undefined ? null : toNumber(summary[aggregate])
}

/**
 * The text of a value as Comet sent it (numbers written back as JavaScript writes them), or null.
 *
 * @since 0.1.0
 */
export const display = (value: SummaryValue): string | null =>
  value === null ? null : typeof value === "number" ? String(value) : value.text
