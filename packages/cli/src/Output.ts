/**
 * How the command line prints records: a table for people (cli-table3), or JSON, NDJSON or CSV
 * (papaparse) for programs. Tables show text made safe for a terminal (no line breaks or
 * control sequences from a server's strings, long cells shortened); the machine formats carry the
 * values as they are.
 *
 * @since 0.1.0
 */
import Table from "cli-table3"
import * as Effect from "effect/Effect"
import { records } from "./Csv.js"
import type { OutputClosed } from "./Errors.js"
import { Io } from "./Io.js"

/**
 * Output formats of the list commands.
 *
 * @since 0.1.0
 */
export type ListFormat = "table" | "json" | "ndjson" | "csv"

/**
 * A cell value.
 *
 * @since 0.1.0
 */
export type Cell = string | number | boolean | null

/**
 * One column of a listing: its header and how a record gives its value.
 *
 * @since 0.1.0
 */
export interface Column<A> {
  readonly header: string
  readonly value: (item: A) => Cell
}

/** Longest cell a table shows, in characters. */
const MAX_CELL = 80

/**
 * A string made safe to show in a terminal: line breaks and tabs become spaces, other control
 * characters (escape sequences a hostile server could send) become U+FFFD, and it is cut at
 * `max` characters.
 *
 * @since 0.1.0
 */
export const printable = (text: string, max = MAX_CELL): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  const clean = text.replace(/\r\n|[\r\n\t]/g, " ").replace(/[\u0000-\u001f\u007f-\u009f]/g, "\uFFFD")
  const chars = [...clean]
  return chars.length <= max ? clean : `${chars.slice(0, max - 1).join("")}…`
}

const display = (cell: Cell): string =>
  cell === null
    ? ""
    : typeof cell === "string"
      ? printable(cell)
      : typeof cell === "number"
        ? String(cell)
        : String(cell)

const noRule = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" }

/**
 * A table as text (cli-table3, no colours).
 *
 * @since 0.1.0
 */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Cell>>): string => {
  const t = new Table({ head: headers.map((h) => printable(h)), style: { head: [], border: [] } })
  // A rule under the header only: the cells of later rows draw no rule above them.
  rows.forEach((row, i) => {
    t.push(row.map((cell) => (i === 0 ? display(cell) : { content: display(cell), chars: noRule })))
  })
  return `${t.toString()}\n`
}

/** JSON that keeps NaN and ±Infinity visible (as the strings "NaN", "Infinity", "-Infinity"). */
export const json = (value: unknown, indent?: number): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), indent)

/**
 * Print a listing in a format: `table` and `csv` show the columns; `json` (one array) and
 * `ndjson` (one object a line) show each record whole, as `toJson` gives it.
 *
 * @since 0.1.0
 */
export const printList = <A>(
  format: ListFormat,
  columns: ReadonlyArray<Column<A>>,
  items: ReadonlyArray<A>,
  toJson: (item: A) => unknown
): Effect.Effect<void, OutputClosed, Io> =>
  Effect.flatMap(Io, (io) => {
    switch (format) {
      case "table":
        return io.out(
          table(
            columns.map((c) => c.header),
            items.map((item) => columns.map((c) => c.value(item)))
          )
        )
      case "csv":
        return io.out(
          records([columns.map((c) => c.header), ...items.map((item) => columns.map((c) => c.value(item)))])
        )
      case "json":
        return io.out(`${json(items.map(toJson), 2)}\n`)
      case "ndjson":
        return io.out(items.map((item) => `${json(toJson(item))}\n`).join(""))
    }
  })

/**
 * An epoch-millisecond time as ISO 8601 (UTC), or null.
 *
 * @since 0.1.0
 */
export const isoTime = (millis: number | null): string | null => {
  if (millis === null || !Number.isFinite(millis)) return null
  const d = new Date(millis)
  return Number.isNaN(d.getTime()) ? null : d.toISOString()
}

/**
 * A duration in milliseconds as `1h 02m 03s` (or `4.2s`), or null.
 *
 * @since 0.1.0
 */
export const duration = (millis: number | null): string | null => {
  if (millis === null || !Number.isFinite(millis) || millis < 0) return null
  if (millis < 60_000) return `${(millis / 1000).toFixed(1)}s`
  const s = Math.floor(millis / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const pad = (n: number) => String(n).padStart(2, "0")
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s % 60)}s` : `${m}m ${pad(s % 60)}s`
}
