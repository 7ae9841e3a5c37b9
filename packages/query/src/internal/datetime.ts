/**
 * Datetimes on the wire: Python's `datetime.isoformat(" ")` (`YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]`),
 * always read and written in UTC.
 *
 * @internal
 */

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

/** Python's MINYEAR and MAXYEAR: the years `isoformat` can write with four digits. */
export const MIN_YEAR = 1
export const MAX_YEAR = 9999

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

/** Days in a month (1-based). */
export const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31

/**
 * Epoch milliseconds of a UTC date-time, without `Date.UTC`'s mapping of years 0–99 to 1900–1999.
 */
export const utcMillis = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number
): number => {
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, second, millisecond)
  return d.getTime()
}

/**
 * A date as Comet's SDK sends it: `YYYY-MM-DD HH:MM:SS` in UTC, with `.ffffff` only when the
 * milliseconds are not zero. `undefined` when the date is invalid or outside years 1–9999.
 */
export const formatWireDateTime = (date: Date): string | undefined => {
  const t = date.getTime()
  if (Number.isNaN(t)) return undefined
  const y = date.getUTCFullYear()
  if (y < MIN_YEAR || y > MAX_YEAR) return undefined
  const base = `${pad(y, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)} ${pad(
    date.getUTCHours(),
    2
  )}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`
  const ms = date.getUTCMilliseconds()
  return ms === 0 ? base : `${base}.${pad(ms, 3)}000`
}

const wireDateTime =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/

/**
 * Epoch milliseconds (possibly fractional, for microseconds) of a wire datetime string: a date,
 * optionally with a time (space or `T`), fraction and offset (`Z`, `+HH:MM`, `+HHMM`, `+HH`); no
 * offset means UTC. `undefined` when the text is not such a datetime or a field is out of range.
 */
export const parseWireDateTime = (text: string): number | undefined => {
  const m = wireDateTime.exec(text.trim())
  if (m === null) return undefined
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const hour = m[4] === undefined ? 0 : Number(m[4])
  const minute = m[5] === undefined ? 0 : Number(m[5])
  const second = m[6] === undefined ? 0 : Number(m[6])
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000
  let offsetMinutes = 0
  const zone = m[8]
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1
    const digits = zone.slice(1).replace(":", "")
    const oh = Number(digits.slice(0, 2))
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
    if (oh > 23 || om > 59) return undefined
    offsetMinutes = sign * (oh * 60 + om)
  }
  return utcMillis(year, month, day, hour, minute, second, 0) + fraction - offsetMinutes * 60_000
}
