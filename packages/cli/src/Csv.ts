/**
 * CSV as the command line writes it, with papaparse's `unparse`: RFC 4180 quoting (fields with a
 * comma, a double quote, a line break or surrounding white space are quoted, quotes doubled), LF
 * line ends for shell tools, numbers as JavaScript writes them. Callers hand it a batch of records
 * at a time (the metrics export: one experiment's rows), so output streams while memory stays
 * bounded; the tests parse its output back with csv-parse.
 *
 * @since 0.1.0
 */
import Papa from "papaparse"

/**
 * A CSV field value: `null` and `undefined` are empty fields; numbers are written as JavaScript
 * writes them (`NaN`, `Infinity` included); booleans as `true` / `false`; an empty string is
 * `""`, so it differs from null.
 *
 * @since 0.1.0
 */
export type CsvValue = string | number | boolean | null | undefined

const SURROUNDING_SPACE = /^\s|\s$/

/** papaparse's options for this CSV (it quotes commas, quotes and line breaks itself). */
const config: Papa.UnparseConfig = {
  delimiter: ",",
  quoteChar: '"',
  escapeChar: '"',
  newline: "\n",
  header: false,
  skipEmptyLines: false,
  escapeFormulae: false,
  // Also an empty string (so it differs from null), and leading or trailing white space (which
  // some readers trim).
  quotes: (value: unknown) => typeof value === "string" && (value.length === 0 || SURROUNDING_SPACE.test(value))
}

/**
 * Records as CSV text, each with its line end (`""` for no records).
 *
 * @since 0.1.0
 */
export const records = (rows: ReadonlyArray<ReadonlyArray<CsvValue>>): string =>
  // unparse separates records with the line end; the last one gets its own here.
  rows.length === 0 ? "" : `${Papa.unparse(rows as Array<ReadonlyArray<CsvValue>>, config)}\n`

/**
 * One record as CSV text, with its line end.
 *
 * @since 0.1.0
 */
export const record = (values: ReadonlyArray<CsvValue>): string => records([values])
