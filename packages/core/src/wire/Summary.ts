/**
 * Metric, parameter and log-other summaries (comet-rest-v2.md §3.2).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { flag, nullable, present, WireNumber, WireString } from "./Common.js"

/**
 * One summary entry. All `value*` fields are strings on the wire, even for numbers; `*Max` and
 * `*Min` describe the point where the max or min occurred, `*Current` the last logged point.
 * The name, values and timestamps are required (every documented entry has them; the Python
 * SDK reads `valueCurrent` with `[]`); steps, run contexts and `editable` may be absent
 * (comet-rest-v2.md §3.2: UNCONFIRMED for parameters and others).
 *
 * @since 0.1.0
 */
export const Summary = Schema.Struct({
  name: Schema.String,
  valueMax: present(WireString),
  valueMin: present(WireString),
  valueCurrent: present(WireString),
  timestampMax: present(WireNumber),
  timestampMin: present(WireNumber),
  timestampCurrent: present(WireNumber),
  runContextMax: nullable(Schema.String),
  runContextMin: nullable(Schema.String),
  runContextCurrent: nullable(Schema.String),
  stepMax: nullable(WireNumber),
  stepMin: nullable(WireNumber),
  stepCurrent: nullable(WireNumber),
  editable: flag
}).annotations({ identifier: "Summary" })
/** @since 0.1.0 */
export type Summary = typeof Summary.Type

/**
 * `GET experiment/metrics/summary`, `experiment/parameters` and `experiment/log-other` →
 * `{ values: [...] }`.
 *
 * @since 0.1.0
 */
export const SummaryList = Schema.Struct({ values: Schema.Array(Summary) }).annotations({ identifier: "SummaryList" })
/** @since 0.1.0 */
export type SummaryList = typeof SummaryList.Type
