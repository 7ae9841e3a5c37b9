/**
 * A compiled fast path for decoding wire JSON with a Schema, validation included.
 *
 * Effect Schema's interpreter costs 20–30× `JSON.parse` on struct-heavy bodies (1,000 experiment
 * summaries, 15,000 metric points: bench/README.md). For the AST shapes the wire Schemas use,
 * this compiles a plain function that checks every value exactly as the interpreter would and
 * builds the same output (same values, same key order, unknown keys preserved as with
 * `onExcessProperty: "preserve"`). It answers {@link NO} as soon as anything does not pass;
 * the caller then runs the interpreter, which produces the error with its path. So nothing is
 * validated less: the fast path only ever accepts what the interpreter accepts, and produces
 * what it produces (the differential tests in packages/core/test/FastDecode.test.ts check
 * both).
 *
 * Supported: string/number/boolean/unknown keywords, literals, refinements (their filters run),
 * declarations (their decoders run; an Effect result falls back), arrays, structs and records
 * with string keys, unions without tagged (literal-keyed) struct members, and transformations
 * (final, compose, and the property-signature ones `optionalWith({ default })` makes). Anything
 * else (suspensions, tuples, template literals, parse-option or fallback annotations) makes
 * the whole Schema fall back to the interpreter.
 *
 * @internal
 */

import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as AST from "effect/SchemaAST"

/** The input does not decode (the interpreter fails on it too, and says where). */
export const NO: unique symbol = Symbol.for("@comet-ts/core/fastDecode/NO")

/** The fast path cannot tell (a decoder answered with an Effect): use the interpreter. */
export const BAIL: unique symbol = Symbol.for("@comet-ts/core/fastDecode/BAIL")

/** A compiled decoder: the decoded value, {@link NO} or {@link BAIL}. */
export type Fast = (input: unknown) => unknown

/** Whether a result is one of the two sentinels. */
export const isMiss = (v: unknown): v is typeof NO | typeof BAIL => v === NO || v === BAIL

type ParseOptions = AST.ParseOptions

/**
 * Property transformations whose decode is known: the one `withDefault` (wire/Common.ts) builds
 * decodes `some(v)` to `some(v)`, and `none()` or `some(undefined)` to `some(value())`. The
 * compiled struct computes that directly, without the two Options per property the function
 * takes and returns (the result is the same: the differential tests check it).
 */
const knownDefaults = new WeakMap<object, () => unknown>()

/**
 * Declare that the property transformation `decode` is `withDefault`'s over `value` (see
 * {@link knownDefaults}).
 *
 * @internal
 */
export const registerDefault = (decode: AST.PropertySignatureTransformation["decode"], value: () => unknown): void => {
  knownDefaults.set(decode, value)
}

const hasOwn = Object.prototype.hasOwnProperty

const isRecord = (u: unknown): u is Record<PropertyKey, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** The value of a sync parse result (an Either), NO for a failure, BAIL for an Effect. */
const sync = (r: unknown): unknown => {
  if (Either.isEither(r)) return Either.isRight(r) ? r.right : NO
  return BAIL
}

const identity: Fast = (u) => u

/**
 * A maker of the plain objects one struct decodes to: `new Out()` is an ordinary object
 * (prototype `Object.prototype`, as a literal), but V8 sizes it for the properties its
 * predecessors ended with, so a struct of 14 fields is one allocation rather than a literal
 * whose property store is grown and copied several times.
 */
const objectMaker = (): (new () => Record<PropertyKey, unknown>) => {
  const Out = function (this: object) {} as unknown as new () => Record<PropertyKey, unknown>
  Out.prototype = Object.prototype
  return Out
}

/**
 * Set `key` on `output` as an own property: a `__proto__` key (an own key of parsed JSON) is
 * defined, not assigned — assigning it would change the result's prototype.
 */
const put = (output: Record<PropertyKey, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") {
    Object.defineProperty(output, key, { value, writable: true, enumerable: true, configurable: true })
  } else output[key] = value
}

/**
 * Copy the keys of `input` that `expected` does not name to `output` — its own enumerable string
 * keys in order (integer-like first), then its symbols, as the interpreter's key list — without
 * an array of every key.
 */
const copyExcess = (
  input: Record<PropertyKey, unknown>,
  output: Record<PropertyKey, unknown>,
  expected: ReadonlySet<PropertyKey>
): void => {
  for (const key in input) {
    if (hasOwn.call(input, key) && !expected.has(key)) put(output, key, input[key])
  }
  const symbols = Object.getOwnPropertySymbols(input)
  for (const key of symbols) output[key] = input[key]
}

class Unsupported extends Error {}

const unsupported = (what: string): never => {
  throw new Unsupported(what)
}

/** Whether a union member would be sorted by its literal-typed properties (a tagged struct). */
const hasLiteralKeys = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "TypeLiteral":
      return ast.propertySignatures.some((ps) => {
        const t = ps.type
        return AST.isLiteral(t) || AST.isUniqueSymbol(t) || (AST.isUnion(t) && t.types.some(AST.isLiteral))
      })
    case "Refinement":
      return hasLiteralKeys(ast.from)
    case "Transformation":
      return hasLiteralKeys(ast.from)
    case "Suspend":
      return true
    default:
      return false
  }
}

const compileTypeLiteral = (ast: AST.TypeLiteral, options: ParseOptions, memo: Memo): Fast => {
  const props = ast.propertySignatures.map((ps) => {
    if (typeof ps.name !== "string") unsupported("a symbol property")
    return { name: ps.name as string, optional: ps.isOptional, decode: compile(ps.type, options, memo) }
  })
  const expected = new Set(props.map((p) => p.name))
  if (ast.indexSignatures.length > 1) unsupported("several index signatures")
  const index = ast.indexSignatures[0]
  if (index !== undefined && index.parameter._tag !== "StringKeyword") unsupported("a non-string record key")
  const indexValue = index === undefined ? null : compile(index.type, options, memo)
  const preserve = options.onExcessProperty === "preserve"
  if (options.onExcessProperty === "error") unsupported("onExcessProperty error")
  const Out = objectMaker()
  return (input) => {
    if (!isRecord(input)) return NO
    const output = new Out()
    if (preserve) {
      // unexpected: not a property, and no string index signature takes it (symbols never are)
      if (indexValue === null) copyExcess(input, output, expected)
      else for (const key of Object.getOwnPropertySymbols(input)) output[key] = input[key]
    }
    for (const p of props) {
      const has = hasOwn.call(input, p.name)
      if (!has && p.optional) continue
      const v = p.decode(input[p.name])
      if (isMiss(v)) return v
      output[p.name] = v
    }
    if (indexValue !== null) {
      for (const key of Object.keys(input)) {
        const v = indexValue(input[key])
        if (isMiss(v)) return v
        if (!expected.has(key)) put(output, key, v)
      }
    }
    return output
  }
}

const compileTransformation = (ast: AST.Transformation, options: ParseOptions, memo: Memo): Fast => {
  const from = compile(ast.from, options, memo)
  const to = compile(ast.to, options, memo)
  const t = ast.transformation
  switch (t._tag) {
    case "ComposeTransformation":
      return (input) => {
        const a = from(input)
        return isMiss(a) ? a : to(a)
      }
    case "FinalTransformation":
      return (input) => {
        const a = from(input)
        if (isMiss(a)) return a
        const b = sync(t.decode(a, options, ast, input))
        return isMiss(b) ? b : to(b)
      }
    case "TypeLiteralTransformation": {
      const fused = fuseStructTransformation(ast, t, options, memo)
      if (fused !== null) return fused
      const psts = t.propertySignatureTransformations
      return (input) => {
        const a = from(input)
        if (isMiss(a)) return a
        if (!isRecord(a)) return BAIL
        // As the interpreter: take each `from` key out and put the result back under `to`.
        for (const pst of psts) {
          const o = pst.decode(hasOwn.call(a, pst.from) ? Option.some(a[pst.from]) : Option.none())
          delete a[pst.from]
          if (Option.isSome(o)) a[pst.to] = o.value
        }
        return to(a)
      }
    }
  }
}

/**
 * The struct-to-struct transformation `optionalWith(…, { default })` builds, in one pass and
 * without `delete`: when `from` and `to` are structs with the same keys and each property
 * transformation maps a key to itself, the interpreter's result is the input's unknown keys
 * (preserved) followed by `to`'s properties in order, each decoded by `from`, transformed, then
 * checked by `to` — which is what this computes.
 */
const fuseStructTransformation = (
  ast: AST.Transformation,
  t: AST.TypeLiteralTransformation,
  options: ParseOptions,
  memo: Memo
): Fast | null => {
  const from = ast.from
  const to = ast.to
  if (!AST.isTypeLiteral(from) || !AST.isTypeLiteral(to)) return null
  if (from.indexSignatures.length > 0 || to.indexSignatures.length > 0) return null
  if (options.onExcessProperty === "error") return null
  const fromProps = new Map(from.propertySignatures.map((ps) => [ps.name, ps]))
  if (fromProps.size !== to.propertySignatures.length) return null
  const psts = new Map<PropertyKey, AST.PropertySignatureTransformation>()
  for (const pst of t.propertySignatureTransformations) {
    if (pst.from !== pst.to || psts.has(pst.from)) return null
    psts.set(pst.from, pst)
  }
  const steps: Array<{
    readonly name: string
    readonly fromOptional: boolean
    readonly toOptional: boolean
    readonly fromDecode: Fast
    readonly toDecode: Fast
    readonly pst: AST.PropertySignatureTransformation | undefined
    /** The default of a `withDefault` transformation (see {@link knownDefaults}). */
    readonly fallback: (() => unknown) | undefined
  }> = []
  for (const ps of to.propertySignatures) {
    const f = fromProps.get(ps.name)
    if (f === undefined || typeof ps.name !== "string") return null
    const pst = psts.get(ps.name)
    steps.push({
      name: ps.name,
      fromOptional: f.isOptional,
      toOptional: ps.isOptional,
      fromDecode: compile(f.type, options, memo),
      toDecode: compile(ps.type, options, memo),
      pst,
      fallback: pst === undefined ? undefined : knownDefaults.get(pst.decode)
    })
  }
  for (const k of psts.keys()) if (!fromProps.has(k)) return null
  const expected = new Set<PropertyKey>(fromProps.keys())
  const preserve = options.onExcessProperty === "preserve"
  const Out = objectMaker()
  return (input) => {
    if (!isRecord(input)) return NO
    const output = new Out()
    if (preserve) copyExcess(input, output, expected)
    for (const s of steps) {
      // `from`: the key as the struct decoder leaves it (absent when optional and missing).
      const has = hasOwn.call(input, s.name)
      let present = true
      let v: unknown
      if (!has && s.fromOptional) present = false
      else {
        v = s.fromDecode(input[s.name])
        if (isMiss(v)) return v
      }
      // the property transformation
      if (s.fallback !== undefined) {
        // `withDefault`'s decode, computed: the value, or the default when absent or undefined
        if (!present || v === undefined) v = s.fallback()
        present = true
      } else if (s.pst !== undefined) {
        const o = s.pst.decode(present ? Option.some(v) : Option.none())
        present = Option.isSome(o)
        v = present ? (o as Option.Some<unknown>).value : undefined
      }
      // `to`
      if (!present && s.toOptional) continue
      const w = s.toDecode(present ? v : undefined)
      if (isMiss(w)) return w
      output[s.name] = w
    }
    return output
  }
}

type Memo = Map<AST.AST, Fast>

const compile = (ast: AST.AST, options: ParseOptions, memo: Memo): Fast => {
  const known = memo.get(ast)
  if (known !== undefined) return known
  if (Option.isSome(AST.getParseOptionsAnnotation(ast))) unsupported("a parseOptions annotation")
  if (Option.isSome(AST.getDecodingFallbackAnnotation(ast))) unsupported("a decoding fallback")
  const out = compileNode(ast, options, memo)
  memo.set(ast, out)
  return out
}

const compileNode = (ast: AST.AST, options: ParseOptions, memo: Memo): Fast => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => (typeof u === "string" ? u : NO)
    case "NumberKeyword":
      return (u) => (typeof u === "number" ? u : NO)
    case "BooleanKeyword":
      return (u) => (typeof u === "boolean" ? u : NO)
    case "UnknownKeyword":
    case "AnyKeyword":
    case "VoidKeyword":
      return identity
    case "UndefinedKeyword":
      return (u) => (u === undefined ? u : NO)
    case "NeverKeyword":
      return () => NO
    case "Literal": {
      const literal = ast.literal
      return (u) => (u === literal ? u : NO)
    }
    case "Refinement": {
      const from = compile(ast.from, options, memo)
      return (input) => {
        const a = from(input)
        if (isMiss(a)) return a
        return Option.isNone(ast.filter(a, options, ast)) ? a : NO
      }
    }
    case "Declaration": {
      const decode = ast.decodeUnknown(...ast.typeParameters)
      return (input) => sync(decode(input, options, ast))
    }
    case "TupleType": {
      if (ast.elements.length !== 0 || ast.rest.length !== 1) unsupported("a tuple")
      const element = compile((ast.rest[0] as AST.Type).type, options, memo)
      return (input) => {
        if (!Array.isArray(input)) return NO
        const n = input.length
        const output = new Array<unknown>(n)
        for (let i = 0; i < n; i++) {
          const v = element(input[i])
          if (isMiss(v)) return v
          output[i] = v
        }
        return output
      }
    }
    case "TypeLiteral":
      return compileTypeLiteral(ast, options, memo)
    case "Union": {
      if (ast.types.some(hasLiteralKeys)) unsupported("a tagged union")
      const members = ast.types.map((m) => compile(m, options, memo))
      return (input) => {
        // The first member that decodes wins, as in the interpreter; a member the fast path
        // cannot judge stops the search (a later member must not win in its place).
        for (const m of members) {
          const v = m(input)
          if (v !== NO) return v
        }
        return NO
      }
    }
    case "Transformation":
      return compileTransformation(ast, options, memo)
    default:
      return unsupported(ast._tag)
  }
}

const compiled = new WeakMap<ParseOptions, WeakMap<AST.AST, Fast | null>>()

/**
 * The fast decoder of a Schema's AST for the given parse options (compiled once per AST and
 * options object), or null when the Schema uses something the fast path does not cover.
 */
export const fastDecoder = (ast: AST.AST, options: ParseOptions): Fast | null => {
  let forOptions = compiled.get(options)
  if (forOptions === undefined) {
    forOptions = new WeakMap()
    compiled.set(options, forOptions)
  }
  const known = forOptions.get(ast)
  if (known !== undefined) return known
  let fast: Fast | null
  try {
    fast = compile(ast, options, new Map())
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e
    fast = null
  }
  forOptions.set(ast, fast)
  return fast
}
