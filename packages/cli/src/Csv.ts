/**
 * CSV as the command line writes it, with csv-stringify: RFC 4180 quoting (fields with a comma,
 * a double quote, a line break or surrounding white space are quoted, quotes doubled), LF line
 * ends for shell tools, numbers as JavaScript writes them. Callers hand it a batch of records at
 * a time (the metrics export: one experiment's rows), so output streams while memory stays
 * bounded; the tests parse its output back with csv-parse.
 *
 * @since 0.1.0
 */
import { type Options, stringify } from "csv-stringify/sync"

/**
 * A CSV field value: `null` and `undefined` are empty fields; numbers are written as JavaScript
 * writes them (`NaN`, `Infinity` included); booleans as `true` / `false`; an empty string is
 * `""`, so it differs from null.
 *
 * @since 0.1.0
 */
export type CsvValue = string | number | boolean | null | undefined

/**
 * csv-stringify's options for this CSV. A fresh object each call: csv-stringify fills the
 * `cast` object it is given with its defaults.
 */
const options = (): Options => ({
  delimiter: ",",
  quote: '"',
  escape: '"',
  record_delimiter: "\n",
  // Quote a field with any line break (CR or LF), not only the record delimiter.
  quote_record_delimiter: true,
  // An empty string (so it differs from null), and leading or trailing white space (which
  // some readers trim).
  quoted_match: /^$|^\s|\s$/,
  eof: true,
  header: false,
  cast: { number: String, boolean: String }
})

/**
 * Records as CSV text, each with its line end (`""` for no records).
 *
 * @since 0.1.0
 */
export const records = (rows: ReadonlyArray<ReadonlyArray<CsvValue>>): string =>
  // csv-stringify's types take mutable arrays of `any`; it only reads them.
  stringify(rows as Array<Array<CsvValue>>, options())

/**
 * One record as CSV text, with its line end.
 *
 * @since 0.1.0
 */
export const record = (values: ReadonlyArray<CsvValue>): string => records([values])
