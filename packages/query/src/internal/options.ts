/**
 * The options objects of the query package's entries (`parse`, `compile`, `compileTerms`) from
 * JavaScript, read once and checked: an unknown, misspelt (`maxdepth`), inherited or symbol
 * name, names that cannot be read, an object that is no options object, and a value of the wrong
 * type (`maxDepth: "100"`) are a `QueryError` of reason `invalid-argument` naming the option —
 * never dropped, never used as the wrong type, never a `TypeError`.
 */

import { QueryError } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"

/** A limit: a whole number ≥ 0, or `Infinity` (no limit); `null` or `undefined` for the default. */
export const Limit = Inputs.optionalOrNull(
  Inputs.refined(
    (u): u is number => typeof u === "number" && (Number.isSafeInteger(u) || u === Number.POSITIVE_INFINITY) && u >= 0,
    "a whole number ≥ 0 (or Infinity)"
  )
)

const invalid = (option: string, reason: string): QueryError =>
  new QueryError({
    reason: "invalid-argument",
    detail: `${option} ${reason.replace(/\.$/, "")}`,
    line: null,
    column: null,
    hint: null
  })

/**
 * The time of a Date of any realm (an iframe's, a `vm` context's: `instanceof Date` is false for
 * those), NaN for an invalid Date, or undefined for anything that is no Date (the brand check of
 * `Date.prototype.getTime`, which no `Symbol.toStringTag` fools).
 */
export const timeOfDate = (u: unknown): number | undefined => {
  if (u instanceof Date) return u.getTime()
  if (typeof u !== "object" || u === null) return undefined
  try {
    return Date.prototype.getTime.call(u)
  } catch {
    return undefined
  }
}

/** What a value from JavaScript is, by type only (never its content: it may hold a secret). */
const typeOf = (u: unknown): string => {
  if (u === null || u === undefined) return String(u)
  if (Array.isArray(u)) return "an array"
  const time = timeOfDate(u)
  if (time !== undefined) return "a Date"
  return typeof u === "object" ? "an object" : `a ${typeof u}`
}

/** An argument of `where` of the wrong runtime type, as a `QueryError` naming it and what it must be. */
export const wrongArgument = (where: string, argument: string, expected: string, value: unknown): QueryError =>
  invalid(argument, `of ${where} must be ${expected}, not ${typeOf(value)}`)

/**
 * The options of `where` read once against `schema` (its fields are the names known): the
 * checked snapshot, or the `QueryError` naming what is wrong (`options.maxdepth`).
 */
export const readOptions = <A, I>(
  value: unknown,
  schema: Schema.Schema<A, I, never> & { readonly fields: Schema.Struct.Fields },
  where: string
): Either.Either<A, QueryError> =>
  Either.mapLeft(Inputs.optionsArgument(value, schema, where), (e) => invalid(e.argument, e.reason))
