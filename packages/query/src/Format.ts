/**
 * Queries back to the Python syntax of Comet's SDK.
 *
 * @since 0.1.0
 */
import { formatQuery } from "./internal/format.js"
import type { Query } from "./Query.js"

/**
 * The query in the Python syntax, e.g. `(Metric("loss") < 0.1) & (Parameter("lr") >= 0.3)`:
 * comparisons in groups are parenthesised (Python's `&` binds tighter than `<`), strings use
 * double quotes with Python escapes, booleans are `True`/`False`, null and empty tests are
 * `== None` and `== ""`, dates are `datetime(Y, M, D, h, m, s, us)` in UTC, non-finite numbers
 * `float("nan")`/`float("inf")`. `parse(format(q))` equals `q` (for valid dates in years 1–9999).
 *
 * The text is valid Python: Comet's SDK 3.32 runs it as is when it has no `|` and no `~` over a
 * group or a tag; newer SDKs also take `|` and `~` over groups.
 *
 * @since 0.1.0
 */
export const format = (query: Query): string => formatQuery(query)
