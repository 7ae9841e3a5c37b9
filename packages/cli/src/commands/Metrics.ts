/**
 * `comet-ts metrics WS/PROJ --metric NAME… [--param NAME…] [--query Q] [--full]
 * [--format csv|json|ndjson]`: the curves of many experiments, one row per (experiment, metric,
 * logged point), in the fewest requests (Comet's multi-metric chart, many experiments a request)
 * and streamed: a chunk of experiments is fetched, written and dropped before the output of the
 * next, so memory stays bounded however large the export is.
 *
 * @since 0.1.0
 */
import { Chart } from "@comet-ts/api"
import type { ChartExperiment } from "@comet-ts/core"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { commonOptions, withApi } from "../Client.js"
import { type CsvValue, record, records } from "../Csv.js"
import { UsageError } from "../Errors.js"
import { Io } from "../Io.js"
import { json } from "../Output.js"
import { withProgress } from "../Progress.js"
import { archivedOption, projectArg, queryOption, selectExperiments } from "./Lists.js"

/**
 * Output formats of `metrics`.
 *
 * @since 0.1.0
 */
export type RowFormat = "csv" | "json" | "ndjson"

/** The fixed columns of a row (the tidy view of `Chart.rows`). */
const FIXED = ["experimentKey", "experimentName", "metric", "step", "epoch", "timestamp", "value"] as const

/**
 * Text for rows in a format: what starts the output, each experiment's rows, what ends it.
 *
 * @since 0.1.0
 */
export interface RowWriter {
  readonly begin: string
  readonly experiment: (e: ChartExperiment, name: string | null, first: boolean) => string
  readonly end: string
}

/**
 * The writer of a format, for the given parameters (CSV columns `params.NAME`; JSON `params`).
 *
 * @since 0.1.0
 */
export const rowWriter = (format: RowFormat, params: ReadonlyArray<string>): RowWriter => {
  const paramValues = (e: ChartExperiment) => params.map((p) => e.params?.[p] ?? null)
  switch (format) {
    case "csv":
      return {
        begin: record([...FIXED, ...params.map((p) => `params.${p}`)]),
        // One papaparse call for an experiment's rows: its chunk is written, then dropped.
        experiment: (e, name) => {
          const tail = paramValues(e)
          const batch: Array<ReadonlyArray<CsvValue>> = []
          for (const r of Chart.rows([e])) {
            const fixed = [e.experimentKey, name, r.metric, r.step, r.epoch, r.timestamp, r.value]
            batch.push(tail.length === 0 ? fixed : [...fixed, ...tail])
          }
          return records(batch)
        },
        end: ""
      }
    case "json":
    case "ndjson": {
      const line = (e: ChartExperiment, name: string | null) => {
        const ps = params.length === 0 ? undefined : Object.fromEntries(params.map((p) => [p, e.params?.[p] ?? null]))
        const lines: Array<string> = []
        for (const r of Chart.rows([e])) lines.push(json({ ...r, experimentName: name, ...(ps && { params: ps }) }))
        return lines
      }
      return format === "ndjson"
        ? {
            begin: "",
            experiment: (e, name) =>
              line(e, name)
                .map((l) => `${l}\n`)
                .join(""),
            end: ""
          }
        : {
            begin: "[",
            experiment: (e, name, first) => {
              const lines = line(e, name)
              return lines.length === 0 ? "" : `${first ? "\n" : ",\n"}${lines.join(",\n")}`
            },
            end: "\n]\n"
          }
    }
  }
}

/**
 * `comet-ts metrics`.
 *
 * @since 0.1.0
 */
export const metrics = Command.make(
  "metrics",
  {
    ...commonOptions,
    metric: Options.text("metric").pipe(
      Options.withPseudoName("NAME"),
      Options.withDescription("a metric to export (repeat for more: --metric loss --metric val_loss)"),
      Options.atLeast(1)
    ),
    param: Options.text("param").pipe(
      Options.withPseudoName("NAME"),
      Options.withDescription("a parameter to add to every row (repeat for more)"),
      Options.repeated,
      // optional, so the usage shows it in brackets: [--param NAME...]
      Options.optional,
      Options.map(Option.getOrElse((): ReadonlyArray<string> => []))
    ),
    query: queryOption,
    archived: archivedOption,
    full: Options.boolean("full").pipe(
      Options.withDescription("every logged point (up to 15,000 per metric) instead of the server's ~500-point sample")
    ),
    format: Options.choice("format", ["csv", "json", "ndjson"] as const).pipe(
      Options.withDescription("csv (default), json (one array) or ndjson (one object a line)"),
      Options.withDefault("csv" as RowFormat)
    ),
    project: projectArg
  },
  (flags) =>
    withApi(
      flags,
      Effect.gen(function* () {
        const io = yield* Io
        if (flags.metric.some((m) => m.trim() === "") || flags.param.some((p) => p.trim() === "")) {
          return yield* Effect.fail(new UsageError({ detail: "--metric and --param need a name." }))
        }
        const experiments = yield* selectExperiments(flags.project, flags.query, flags.archived)
        const names = new Map(experiments.map((e) => [e.key as string, e.name]))
        const writer = rowWriter(flags.format, flags.param)
        yield* io.out(writer.begin)
        if (experiments.length === 0) {
          yield* io.err(
            `comet-ts: no experiments in ${flags.project}${flags.query._tag === "Some" ? " match the query" : ""}.\n`
          )
        }
        let first = true
        yield* withProgress(
          {
            total: experiments.length,
            format: "Fetching curves [{bar}] {value}/{total} experiments | {eta_formatted}"
          },
          (progress) =>
            Chart.stream(experiments, flags.metric, flags.param, {
              fetchFull: flags.full,
              onProgress: (done) => progress.update(done)
            }).pipe(
              Stream.runForEach((e) => {
                const text = writer.experiment(e, e.experimentName ?? names.get(e.experimentKey) ?? null, first)
                if (text.length > 0) first = false
                return io.out(text)
              })
            )
        )
        yield* io.out(writer.end)
      })
    )
).pipe(
  Command.withDescription(
    "Export the curves of a project's experiments (or those a query matches): one row per experiment, metric and point, streamed."
  )
)
