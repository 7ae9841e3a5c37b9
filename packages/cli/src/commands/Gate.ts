/**
 * `comet-ts gate WS/PROJ --query Q [--metric NAME (--min X | --max X)] [--agg last|min|max]
 * [--require N] [--json]`: a CI gate on Comet results. The gate holds when at least N experiments
 * (default 1) match the query and, with `--metric`, have the metric's last (or smallest, or
 * largest) value within the bounds. Values come from each experiment's metric summary, which is
 * exact (chart data may be sampled). Exit code 0 when it holds, 1 when it does not; the deciding
 * experiments and a one-line verdict are printed (`--json` for machines).
 *
 * @since 0.1.0
 */
import { CometApi, type Experiment, Summaries } from "@comet-ts/api"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { commonOptions, withApi } from "../Client.js"
import { GateNotMet, UsageError } from "../Errors.js"
import { Io } from "../Io.js"
import { type Cell, json, table } from "../Output.js"
import { withProgress } from "../Progress.js"
import { archivedOption, projectArg, selectExperiments } from "./Lists.js"

/**
 * What the gate checks.
 *
 * @since 0.1.0
 */
export interface GateSpec {
  readonly query: string
  readonly metric: string | null
  readonly aggregate: Summaries.SummaryAggregate
  readonly min: number | null
  readonly max: number | null
  readonly require: number
}

/**
 * One experiment's part in the verdict.
 *
 * @since 0.1.0
 */
export interface GateRow {
  readonly key: string
  readonly name: string | null
  /** The metric's value, or null when the experiment has none or it is not a number. */
  readonly value: number | null
  /** The value as Comet sent it, when it is not a number. */
  readonly text: string | null
  readonly passed: boolean
}

/**
 * The verdict.
 *
 * @since 0.1.0
 */
export interface GateResult {
  readonly holds: boolean
  readonly matched: number
  readonly passed: number
  readonly rows: ReadonlyArray<GateRow>
  readonly verdict: string
}

const fmt = (x: number) => String(x)

/** The condition in words, like `val_accuracy (last) >= 0.95`. */
export const condition = (spec: GateSpec): string => {
  const subject = `${spec.metric} (${spec.aggregate})`
  if (spec.min !== null && spec.max !== null) return `${fmt(spec.min)} <= ${subject} <= ${fmt(spec.max)}`
  if (spec.min !== null) return `${subject} >= ${fmt(spec.min)}`
  return `${subject} <= ${fmt(spec.max ?? Number.NaN)}`
}

/** Whether a value passes the bounds (NaN and missing never pass). */
const within = (spec: GateSpec, value: number | null): boolean =>
  value !== null &&
  !Number.isNaN(value) &&
  (spec.min === null || value >= spec.min) &&
  (spec.max === null || value <= spec.max)

/**
 * Decide the gate from the matching experiments and (with a metric) each one's summary.
 *
 * @since 0.1.0
 */
export const decide = (
  spec: GateSpec,
  experiments: ReadonlyArray<{
    readonly key: string
    readonly name: string | null
    readonly summary?: Summaries.NumericSummary | undefined
  }>
): GateResult => {
  const rows: Array<GateRow> = experiments.map((e) => {
    if (spec.metric === null) return { key: e.key, name: e.name, value: null, text: null, passed: true }
    const raw = e.summary?.[spec.aggregate] ?? null
    const value = Summaries.toNumber(raw)
    return {
      key: e.key,
      name: e.name,
      value,
      text: raw !== null && typeof raw === "object" ? raw.text : null,
      passed: within(spec, value)
    }
  })
  // Best first: passing rows, then by value (largest first for --min, smallest for --max), missing last.
  const descending = spec.min !== null
  rows.sort((a, b) => {
    if (a.passed !== b.passed) return a.passed ? -1 : 1
    const av = a.value === null || Number.isNaN(a.value) ? null : a.value
    const bv = b.value === null || Number.isNaN(b.value) ? null : b.value
    if (av === null || bv === null) return av === bv ? 0 : av === null ? 1 : -1
    return descending ? bv - av : av - bv
  })
  const passed = rows.filter((r) => r.passed).length
  const holds = passed >= spec.require
  const required = `(at least ${spec.require} required)`
  const verdict =
    spec.metric === null
      ? `${holds ? "PASS" : "FAIL"}: ${rows.length} experiment${rows.length === 1 ? "" : "s"} match ${spec.query} ${required}.`
      : `${holds ? "PASS" : "FAIL"}: ${passed} of ${rows.length} experiment${rows.length === 1 ? "" : "s"} matching ${spec.query} have ${condition(spec)} ${required}.`
  return { holds, matched: rows.length, passed, rows, verdict }
}

/** Rows shown in the text output; `--json` has every one. */
const SHOWN = 10

const textReport = (spec: GateSpec, result: GateResult): string => {
  const shown = result.rows.slice(0, Math.max(SHOWN, spec.require))
  const headers = spec.metric === null ? ["key", "name"] : ["key", "name", `${spec.metric} (${spec.aggregate})`, "pass"]
  const cells = shown.map(
    (r): ReadonlyArray<Cell> =>
      spec.metric === null
        ? [r.key, r.name]
        : [r.key, r.name, r.value !== null ? String(r.value) : (r.text ?? "(none)"), r.passed ? "yes" : "no"]
  )
  const more = result.rows.length - shown.length
  return [
    shown.length === 0 ? "" : table(headers, cells),
    more > 0 ? `… and ${more} more (--json lists every one)\n` : "",
    `${result.verdict}\n`
  ].join("")
}

const jsonReport = (target: string, spec: GateSpec, result: GateResult) =>
  `${json(
    {
      holds: result.holds,
      verdict: result.verdict,
      project: target,
      query: spec.query,
      metric: spec.metric,
      aggregate: spec.metric === null ? null : spec.aggregate,
      min: spec.min,
      max: spec.max,
      require: spec.require,
      matched: result.matched,
      passed: result.passed,
      experiments: result.rows
    },
    2
  )}\n`

/** Check the option combination before any request is sent. */
const specOf = (flags: {
  readonly query: string
  readonly metric: Option.Option<string>
  readonly min: Option.Option<number>
  readonly max: Option.Option<number>
  readonly agg: Option.Option<Summaries.SummaryAggregate>
  readonly require: number
}): Effect.Effect<GateSpec, UsageError> => {
  const metric = Option.getOrNull(flags.metric)
  const min = Option.getOrNull(flags.min)
  const max = Option.getOrNull(flags.max)
  const usage = (detail: string) => Effect.fail(new UsageError({ detail }))
  if (metric === null && (min !== null || max !== null || Option.isSome(flags.agg))) {
    return usage("--min, --max and --agg need --metric NAME: which metric should they check?")
  }
  if (metric !== null && min === null && max === null) {
    return usage(`--metric ${metric} needs a bound: --min X (at least X) or --max X (at most X), or both.`)
  }
  if (metric !== null && metric.trim() === "") return usage("--metric needs a metric name.")
  if (min !== null && max !== null && min > max) return usage(`--min ${min} is larger than --max ${max}.`)
  if (!Number.isInteger(flags.require) || flags.require < 1) {
    return usage(`--require must be a whole number of experiments, at least 1 (got ${flags.require}).`)
  }
  return Effect.succeed({
    query: flags.query,
    metric,
    aggregate: Option.getOrElse(flags.agg, () => "last" as const),
    min,
    max,
    require: flags.require
  })
}

/** Each experiment's summary of the metric (one request each; the transport bounds concurrency). */
const summariesOf = (experiments: ReadonlyArray<Experiment>, metric: string) =>
  Effect.gen(function* () {
    const api = yield* CometApi
    let done = 0
    return yield* withProgress(
      { total: experiments.length, format: "Reading summaries [{bar}] {value}/{total} experiments" },
      (progress) =>
        Effect.forEach(
          experiments,
          (e) =>
            api.getExperimentMetricsSummaries(e.key).pipe(
              Effect.map((list) => ({ key: e.key, name: e.name, summary: Summaries.byName(list).get(metric) })),
              Effect.tap(() => Effect.sync(() => progress.update(++done)))
            ),
          { concurrency: "unbounded" }
        )
    )
  })

/**
 * `comet-ts gate`.
 *
 * @since 0.1.0
 */
export const gate = Command.make(
  "gate",
  {
    ...commonOptions,
    query: Options.text("query").pipe(
      Options.withPseudoName("QUERY"),
      Options.withDescription(
        'the experiments to consider, in the Python SDK\'s query syntax, e.g. \'Parameter("dataset") == "v2"\''
      )
    ),
    metric: Options.text("metric").pipe(
      Options.withPseudoName("NAME"),
      Options.withDescription("the metric whose value decides (needs --min or --max)"),
      Options.optional
    ),
    min: Options.float("min").pipe(
      Options.withPseudoName("X"),
      Options.withDescription("pass when the value is at least this"),
      Options.optional
    ),
    max: Options.float("max").pipe(
      Options.withPseudoName("X"),
      Options.withDescription("pass when the value is at most this"),
      Options.optional
    ),
    agg: Options.choice("agg", ["last", "min", "max"] as const).pipe(
      Options.withDescription("which value of the metric: the last logged (default), the smallest or the largest"),
      Options.optional
    ),
    require: Options.integer("require").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("how many experiments must pass (default 1)"),
      Options.withDefault(1)
    ),
    archived: archivedOption,
    json: Options.boolean("json").pipe(Options.withDescription("print the verdict as JSON, for programs")),
    project: projectArg
  },
  (flags) =>
    Effect.gen(function* () {
      const spec = yield* specOf(flags)
      const io = yield* Io
      const result = yield* withApi(
        flags,
        Effect.gen(function* () {
          const experiments = yield* selectExperiments(flags.project, Option.some(spec.query), flags.archived)
          const decided =
            spec.metric === null
              ? experiments.map((e) => ({ key: e.key as string, name: e.name }))
              : yield* summariesOf(experiments, spec.metric)
          return decide(spec, decided)
        })
      )
      yield* io.out(flags.json ? jsonReport(flags.project, spec, result) : textReport(spec, result))
      if (!result.holds) return yield* Effect.fail(new GateNotMet({ verdict: result.verdict }))
    })
).pipe(
  Command.withDescription(
    "Gate CI on Comet results: exit 0 when at least --require experiments match the query (and pass the metric bound), 1 when not."
  )
)
