/**
 * Expanding a {@link Dataset.MetricSeries} into its points. Synthetic series are computed point
 * by point from their seed (random access: the last value costs one evaluation), so a dataset
 * of millions of points costs nothing until a series is read, and reads are identical every
 * time.
 *
 * @since 0.1.0
 */
import type { MetricSeries, SyntheticSeriesSpec } from "./Dataset.js"
import { normalAt, uniformAt } from "./internal/rng.js"

/**
 * The points of a series as parallel typed arrays. `NaN` stands for `null` in `steps` and
 * `epochs`. `values` holds logged values, non-finite ones included (`NaN`, `±Infinity`); a point
 * without a value (`null` in the dataset) is marked in `gaps` (`1`), which is `null` when the
 * series has none. `contexts` is one context for every point, or one per point.
 *
 * @since 0.1.0
 */
export interface SeriesPoints {
  readonly length: number
  readonly steps: Float64Array
  readonly values: Float64Array
  readonly gaps: Uint8Array | null
  readonly epochs: Float64Array
  readonly timestamps: Float64Array
  readonly contexts: string | null | ReadonlyArray<string | null>
}

/**
 * Whether point `i` of materialised points has no value (a gap).
 *
 * @since 0.1.0
 */
export const isGap = (p: SeriesPoints, i: number): boolean => p.gaps !== null && p.gaps[i] === 1

/**
 * Whether a series is given as a recipe.
 *
 * @since 0.1.0
 */
export const isSynthetic = (s: MetricSeries): s is Extract<MetricSeries, { synthetic: unknown }> => "synthetic" in s

/**
 * Number of points of a series.
 *
 * @since 0.1.0
 */
export const seriesLength = (s: MetricSeries): number => (isSynthetic(s) ? s.synthetic.length : s.values.length)

const EXP_K = 5
const EXP_NORM = 1 - Math.exp(-EXP_K)

const syntheticValue = (p: SyntheticSeriesSpec, i: number): number => {
  const t = p.length <= 1 ? 1 : i / (p.length - 1)
  let base: number
  switch (p.shape) {
    case "exponential":
      base = p.from + (p.to - p.from) * ((1 - Math.exp(-EXP_K * t)) / EXP_NORM)
      break
    case "linear":
      base = p.from + (p.to - p.from) * t
      break
    case "constant":
      base = p.from
      break
    case "sine":
      base = (p.from + p.to) / 2 + ((p.to - p.from) / 2) * Math.sin(2 * Math.PI * p.cycles * t)
      break
  }
  let v = p.noise === 0 ? base : base + p.noise * normalAt(p.seed, i)
  if (p.min !== undefined && v < p.min) v = p.min
  if (p.max !== undefined && v > p.max) v = p.max
  return v
}

const syntheticStep = (p: SyntheticSeriesSpec, i: number): number => p.stepStart + i * p.stepEvery

const syntheticTimestamp = (p: SyntheticSeriesSpec, i: number): number =>
  p.startTime + Math.round(i * p.interval + uniformAt(p.seed, i, 7) * p.interval * 0.3)

const syntheticEpoch = (p: SyntheticSeriesSpec, step: number): number =>
  p.stepsPerEpoch === null ? Number.NaN : Math.floor(step / p.stepsPerEpoch)

const orNaN = (v: number | null | undefined): number => (v === null || v === undefined ? Number.NaN : v)

/**
 * One point of a series (random access).
 *
 * @since 0.1.0
 */
export const pointAt = (
  s: MetricSeries,
  i: number
): { step: number | null; value: number | null; epoch: number | null; timestamp: number; context: string | null } => {
  const nn = (v: number) => (Number.isNaN(v) ? null : v)
  if (isSynthetic(s)) {
    const p = s.synthetic
    const step = syntheticStep(p, i)
    return {
      step,
      value: nn(syntheticValue(p, i)),
      epoch: nn(syntheticEpoch(p, step)),
      timestamp: syntheticTimestamp(p, i),
      context: p.context
    }
  }
  return {
    step: s.steps[i] ?? null,
    value: s.values[i] ?? null,
    epoch: s.epochs?.[i] ?? null,
    timestamp: s.timestamps[i] ?? 0,
    context: s.contexts?.[i] ?? null
  }
}

/** Points kept materialised at most (4 typed arrays of 8 bytes per point: 96 MiB). */
const CACHE_POINTS = 3_000_000
const cache = new WeakMap<MetricSeries, SeriesPoints>()
const recent: Array<MetricSeries> = []
let cachedPoints = 0

/**
 * All points of a series as typed arrays (read-only: recently used series are kept and shared,
 * since a series never changes; a server answering many requests over the same series then
 * spends its time answering rather than recomputing — bench/README.md, emulator).
 *
 * @since 0.1.0
 */
export const materialize = (s: MetricSeries): SeriesPoints => {
  const hit = cache.get(s)
  if (hit !== undefined) return hit
  const p = compute(s)
  if (p.length > 0 && p.length <= CACHE_POINTS) {
    cache.set(s, p)
    recent.push(s)
    cachedPoints += p.length
    while (cachedPoints > CACHE_POINTS) {
      const old = recent.shift()
      if (old === undefined) break
      cachedPoints -= cache.get(old)?.length ?? 0
      cache.delete(old)
    }
  }
  return p
}

const compute = (s: MetricSeries): SeriesPoints => {
  const n = seriesLength(s)
  const steps = new Float64Array(n)
  const values = new Float64Array(n)
  const epochs = new Float64Array(n)
  const timestamps = new Float64Array(n)
  if (isSynthetic(s)) {
    const p = s.synthetic
    for (let i = 0; i < n; i++) {
      const step = syntheticStep(p, i)
      steps[i] = step
      values[i] = syntheticValue(p, i)
      epochs[i] = syntheticEpoch(p, step)
      timestamps[i] = syntheticTimestamp(p, i)
    }
    return { length: n, steps, values, gaps: null, epochs, timestamps, contexts: p.context }
  }
  let gaps: Uint8Array | null = null
  for (let i = 0; i < n; i++) {
    const v = s.values[i]
    steps[i] = orNaN(s.steps[i])
    values[i] = orNaN(v)
    if (v === null || v === undefined) {
      gaps ??= new Uint8Array(n)
      gaps[i] = 1
    }
    epochs[i] = orNaN(s.epochs?.[i])
    timestamps[i] = s.timestamps[i] ?? 0
  }
  return { length: n, steps, values, gaps, epochs, timestamps, contexts: s.contexts ?? null }
}

/**
 * The context of point `i` of materialised points.
 *
 * @since 0.1.0
 */
export const contextAt = (p: SeriesPoints, i: number): string | null =>
  typeof p.contexts === "string" || p.contexts === null ? p.contexts : (p.contexts[i] ?? null)

/**
 * The last logged value of a series (what queries compare metrics against): the value of the
 * last point that has one, or null when none has.
 *
 * @since 0.1.0
 */
export const lastValue = (s: MetricSeries): number | null => {
  const n = seriesLength(s)
  if (isSynthetic(s)) return n === 0 ? null : pointAt(s, n - 1).value
  for (let i = n - 1; i >= 0; i--) {
    const v = s.values[i]
    if (v !== null && v !== undefined) return v
  }
  return null
}

/**
 * A metric value as Comet writes it in JSON strings (JavaScript's shortest round-trip form;
 * non-finite values as `NaN`, `Infinity`, `-Infinity`, the strings comet_ml logs for them).
 *
 * @since 0.1.0
 */
export const formatValue = (v: number): string => String(v)

/**
 * A value as the multi-metric chart sends it: a JSON number when finite, else the string comet_ml
 * logs for it (`"NaN"`, `"Infinity"`, `"-Infinity"`), so that it stays distinct from a gap
 * (`null`).
 *
 * @since 0.1.0
 */
export const chartValue = (v: number): number | string => (Number.isFinite(v) ? v : String(v))
