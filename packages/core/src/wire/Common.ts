/**
 * Building blocks shared by the wire Schemas: nullable fields that default to `null` when a
 * server leaves them out, numbers that may arrive as strings, strings that may arrive as
 * numbers, and fast array Schemas for the large numeric arrays of metric charts.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import { registerDefault } from "../internal/fastDecode.js"

/**
 * A JSON number, or a string holding one (some Comet fields arrive as strings). Decodes to a
 * number; encodes as a JSON number.
 *
 * @since 0.1.0
 */
export const WireNumber: Schema.Schema<number, number | string> = Schema.Union(
  Schema.Number,
  Schema.NumberFromString
).annotations({ identifier: "WireNumber", description: "a number (or a string holding one)" })

/**
 * A JSON string, or a number or boolean that stands for one. Comet sends summary values and
 * metric values as strings; this also accepts servers that send them as JSON numbers.
 *
 * @since 0.1.0
 */
export const WireString: Schema.Schema<string, string | number | boolean> = Schema.Union(
  Schema.String,
  Schema.transform(Schema.Union(Schema.Number, Schema.Boolean), Schema.String, {
    strict: false,
    decode: (v) => String(v),
    encode: (s) => s
  })
).annotations({ identifier: "WireString", description: "a string (or a number or boolean written as one)" })

/**
 * A field that decodes to `value()` when the key is missing (or `undefined`), and that the
 * constructor fills in the same way: what `Schema.optionalWith(schema, { default: value })`
 * builds — the same property transformation, checked by the tests against it — without
 * `optionalWith`'s other variants (`as: "Option"`, `exact`), which a browser bundle would
 * otherwise carry.
 *
 * @since 0.1.0
 */
export const withDefault = <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  value: () => A
): Schema.PropertySignature<":", A, never, "?:", I | undefined, true, R> => {
  const signature = Schema.optionalToRequired(Schema.UndefinedOr(schema), Schema.typeSchema(schema), {
    decode: (o) => (Option.isSome(o) && o.value !== undefined ? o.value : value()),
    encode: Option.some
  }).pipe(Schema.withConstructorDefault(value))
  // compiled decoders compute this decode without its Options (internal/fastDecode.ts)
  if (signature.ast._tag === "PropertySignatureTransformation") registerDefault(signature.ast.decode, value)
  return signature
}

/**
 * A field that is `null` when it has no value. A server that omits the key decodes as `null`
 * too, and encoding always writes the key (as Comet does).
 *
 * @since 0.1.0
 */
export const nullable = <A, I, R>(schema: Schema.Schema<A, I, R>) => withDefault(Schema.NullOr(schema), () => null)

/**
 * A field the server always sends (the wire reference shows it in recorded answers, or the
 * Python SDK reads it with `[]`): `null` when it has no value; an answer that lacks the key is a
 * DecodeError, not a silent `null` — absence is not success.
 *
 * @since 0.1.0
 */
export const present = <A, I, R>(schema: Schema.Schema<A, I, R>) => Schema.NullOr(schema)

/**
 * A boolean flag that defaults to `false` when a server leaves it out.
 *
 * @since 0.1.0
 */
export const flag = withDefault(Schema.Boolean, () => false)

/**
 * A list that defaults to `[]` when a server leaves it out.
 *
 * @since 0.1.0
 */
export const list = <A, I, R>(schema: Schema.Schema<A, I, R>) => withDefault(Schema.Array(schema), () => [])

const numberIssue = (ast: SchemaAST.AST, index: number, actual: unknown): ParseResult.ParseIssue =>
  new ParseResult.Pointer(
    index,
    actual,
    new ParseResult.Type(ast, actual, "Expected a number, null, or a string holding a number")
  )

const elementAst = Schema.NullOr(Schema.Number).ast

/** Python's float() grammar: digits with single underscores between them, a point, an exponent. */
const DIGITS = "\\d(?:_?\\d)*"
const DECIMAL = new RegExp(`^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`)
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i

/**
 * A number written as text, read the way Python's `float()` reads it (what comet_ml does with
 * the strings Comet sends): decimal and exponent forms, `nan`, `inf` and `infinity` in any case
 * with an optional sign, underscores between digits, surrounding white space. Anything else
 * (empty text, `"adam"`, `"0x10"`, `"true"`) is not a number: `undefined`.
 *
 * @since 0.1.0
 */
export const parseNumber = (text: string): number | undefined => {
  const t = text.trim()
  if (DECIMAL.test(t)) return Number(t.includes("_") ? t.replaceAll("_", "") : t)
  const special = SPECIAL.exec(t)
  if (special === null) return undefined
  if ((special[2] ?? "").toLowerCase() === "nan") return Number.NaN
  return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
}

/**
 * A large array of numbers (or nulls), validated in one tight loop instead of element by
 * element through the Schema interpreter: the fast path for the metric-chart arrays, which can
 * hold millions of values. Numeric strings (`"0.5"`, `"NaN"`) are accepted and converted, as
 * the Python SDK does with `float()`. A bad element fails with its index in the path.
 *
 * @since 0.1.0
 */
export const NumericArray: Schema.Schema<
  ReadonlyArray<number | null>,
  ReadonlyArray<number | string | null>
> = Schema.declare<ReadonlyArray<number | null>, ReadonlyArray<number | string | null>, readonly []>(
  [],
  {
    decode: () => (input, _options, ast) => {
      if (!Array.isArray(input)) return ParseResult.fail(new ParseResult.Type(ast, input, "Expected an array"))
      const arr: ReadonlyArray<unknown> = input
      const n = arr.length
      let i = 0
      for (; i < n; i++) {
        const v = arr[i]
        if (typeof v !== "number" && v !== null) break
      }
      if (i === n) return ParseResult.succeed(arr as ReadonlyArray<number | null>)
      // Slow path: some elements are strings (or invalid); copy and convert.
      const out: Array<number | null> = arr.slice(0, i) as Array<number | null>
      for (; i < n; i++) {
        const v = arr[i]
        if (typeof v === "number" || v === null) out.push(v)
        else if (typeof v === "string") {
          const parsed = parseNumber(v)
          if (parsed === undefined) return ParseResult.fail(numberIssue(elementAst, i, v))
          out.push(parsed)
        } else return ParseResult.fail(numberIssue(elementAst, i, v))
      }
      return ParseResult.succeed(out)
    },
    encode: () => (input, _options, ast) =>
      Array.isArray(input)
        ? ParseResult.succeed(input as ReadonlyArray<number | null>)
        : ParseResult.fail(new ParseResult.Type(ast, input, "Expected an array"))
  },
  {
    identifier: "NumericArray",
    description: "an array of numbers or nulls (numeric strings accepted)",
    arbitrary: () => (fc) => fc.array(fc.oneof(fc.double({ noNaN: true }), fc.constant(null))) as never,
    pretty: () => (a) => `[${a.join(", ")}]`,
    equivalence: () => (a, b) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]))
  }
)

/**
 * A JSON value of any shape (for parameter values and other free-form fields).
 *
 * @since 0.1.0
 */
export const Json: Schema.Schema<unknown> = Schema.Unknown
