/**
 * Values that come from plain JavaScript (arguments, options objects, `any`), checked against a
 * Schema: the decoded value, or the first problem — where (`options.signal`, `experiments[3]`),
 * what was expected (the Schema's `description`), and what came — described without rendering
 * the value itself, so hostile values (cyclic, nested thousands deep, with throwing getters or no
 * prototype) end in a typed error, never a `TypeError` or a `RangeError`.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import { formatPath } from "./Decode.js"
import { ConfigurationError, InvalidArgument } from "./Errors.js"
import { fastDecoder, isMiss } from "./internal/fastDecode.js"
import { scrubFragments } from "./internal/secrets.js"

/**
 * The first problem of a value: where it is (a path under the argument, `""` for the value
 * itself), what was expected, and what came instead.
 *
 * @since 0.1.0
 */
export interface Problem {
  readonly path: string
  readonly expected: string
  readonly actual: string
  /** A short rendering of the offending value (strings as they are, cut; others by kind). */
  readonly value: string
}

const VALUE_LENGTH = 120

/**
 * What a value is, in words (`null`, `a string`, `the number 3`, `an array`, `a Promise`),
 * reading nothing but its type and, for objects, its constructor's name.
 *
 * @since 0.1.0
 */
export const describeValue = (u: unknown): string => {
  switch (typeof u) {
    case "undefined":
      return "undefined (missing)"
    case "string":
      return "a string"
    case "number":
      return `the number ${String(u)}`
    case "boolean":
      return String(u)
    case "bigint":
      return "a bigint"
    case "symbol":
      return "a symbol"
    case "function":
      return "a function"
  }
  if (u === null) return "null"
  if (Array.isArray(u)) return "an array"
  try {
    const proto: unknown = Object.getPrototypeOf(u)
    if (proto === null || proto === Object.prototype) return "an object"
    const ctor: unknown = typeof proto === "object" && proto !== null ? Reflect.get(proto, "constructor") : undefined
    const name: unknown = typeof ctor === "function" ? Reflect.get(ctor, "name") : undefined
    if (name === "Object") return "an object" // another realm's (a vm context, an iframe)
    return typeof name === "string" && /^[A-Za-z_$][\w$]{0,40}$/.test(name)
      ? `${/^[AEIO]/.test(name) ? "an" : "a"} ${name}`
      : "an object"
  } catch {
    return "an object"
  }
}

/**
 * A short rendering of a value for an error: a string as it is (cut), a number or boolean as
 * written, anything else by what it is.
 *
 * @since 0.1.0
 */
export const renderValue = (u: unknown): string => {
  if (typeof u === "string") return u.length > VALUE_LENGTH ? `${u.slice(0, VALUE_LENGTH)}…` : u
  if (typeof u === "number" || typeof u === "boolean") return String(u)
  if (u === undefined) return "undefined"
  return describeValue(u)
}

const isNullish = (ast: AST.AST): boolean =>
  ast._tag === "UndefinedKeyword" || (ast._tag === "Literal" && ast.literal === null)

/** What an AST expects, in words: its `description`, or one made from its shape. */
const expectedOf = (ast: AST.AST): string => {
  const own = AST.getDescriptionAnnotation(ast)
  if (Option.isSome(own)) return own.value
  switch (ast._tag) {
    case "Union":
      return ast.types
        .filter((t) => !isNullish(t))
        .map(expectedOf)
        .join(" or ")
    case "Literal":
      return JSON.stringify(ast.literal)
    case "TupleType":
      return "an array"
    case "TypeLiteral":
      return "an object"
    case "Refinement":
    case "Transformation":
      return expectedOf(ast.from)
    case "Suspend":
      return expectedOf(ast.f())
    default:
      return "a value of another kind"
  }
}

/** The type a missing property or tuple element was expected to have (`Missing.ast` is its signature). */
const missingType = (ast: unknown): AST.AST => {
  const type: unknown =
    typeof ast === "object" && ast !== null && !("_tag" in ast) ? Reflect.get(ast, "type") : undefined
  return (typeof type === "object" && type !== null ? type : ast) as AST.AST
}

const hasOwnDescription = (ast: AST.AST): boolean => Option.isSome(AST.getDescriptionAnnotation(ast))

/** A union member's issue that got past the member's own type (the member the value was meant for). */
const isDeep = (issue: ParseResult.ParseIssue): boolean =>
  issue._tag === "Pointer" ||
  (issue._tag === "Composite" && !AST.isUnion(issue.ast)) ||
  (issue._tag === "Transformation" && isDeep(issue.issue))

/** Walk a parse issue to its first leaf, collecting the path; never renders a value. */
const firstProblem = (root: ParseResult.ParseIssue): Problem => {
  const path: Array<PropertyKey> = []
  let issue: ParseResult.ParseIssue = root
  // the description of the value at the current path, from a node above the leaf (a Struct
  // with optional fields is a Transformation over the Struct: the description is on it)
  let described: string | undefined
  const describe = (ast: AST.AST) => {
    const d = AST.getDescriptionAnnotation(ast)
    if (Option.isSome(d)) described = d.value
  }
  for (;;) {
    switch (issue._tag) {
      case "Pointer":
        path.push(...(Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey]))
        described = undefined
        issue = issue.issue
        continue
      case "Composite": {
        const issues: ReadonlyArray<ParseResult.ParseIssue> = Array.isArray(issue.issues)
          ? issue.issues
          : [issue.issues as ParseResult.ParseIssue]
        if (AST.isUnion(issue.ast)) {
          // the one member the value was meant for (an object for the object member), if any
          const deep = issues.filter(isDeep)
          if (deep.length !== 1) break
          describe(issue.ast)
          issue = deep[0] as ParseResult.ParseIssue
          continue
        }
        const next = issues[0]
        if (next === undefined) break
        describe(issue.ast)
        issue = next
        continue
      }
      case "Refinement":
        if (issue.kind === "From") {
          describe(issue.ast)
          issue = issue.issue
          continue
        }
        break
      case "Transformation":
        if (issue.kind === "Encoded") {
          describe(issue.ast)
          issue = issue.issue
          continue
        }
        break
    }
    break
  }
  const actual: unknown = issue._tag === "Missing" || issue._tag === "Unexpected" ? undefined : issue.actual
  // a Missing issue's ast is the property signature (or tuple element), not a type: its type is
  const ast: AST.AST | undefined =
    issue._tag === "Unexpected" ? undefined : issue._tag === "Missing" ? missingType(issue.ast) : issue.ast
  const leaf = ast === undefined ? "absent" : expectedOf(ast)
  const expected = ast !== undefined && !hasOwnDescription(ast) && described !== undefined ? described : leaf
  return { path: formatPath(path), expected, actual: describeValue(actual), value: renderValue(actual) }
}

/**
 * Check a value from JavaScript against a Schema (unknown keys of objects are dropped, the
 * first problem is reported). Never throws: a value whose reading throws is a problem too.
 *
 * @since 0.1.0
 */
export const check = <A, I>(schema: Schema.Schema<A, I, never>, value: unknown): Either.Either<A, Problem> => {
  try {
    // the compiled decoder accepts exactly what the interpreter accepts; the interpreter says why not
    const fast = fastDecoder(schema.ast, inputOptions)
    if (fast !== null) {
      const out = fast(value)
      if (!isMiss(out)) return Either.right(out as A)
    }
    return Either.mapLeft(Schema.decodeUnknownEither(schema, inputOptions)(value), (e) => firstProblem(e.issue))
  } catch (e) {
    return Either.left({
      path: "",
      expected: expectedOf(schema.ast),
      actual: `a value that cannot be read (${e instanceof Error ? e.name : "an exception"})`,
      value: "(unreadable)"
    })
  }
}

/** The parse options of argument checks (one object: compiled decoders are cached by it). */
const inputOptions: AST.ParseOptions = { errors: "first", onExcessProperty: "ignore" }

/**
 * `must be <expected>, not <actual>.`: the reason of an error about a {@link Problem}.
 *
 * @since 0.1.0
 */
export const reason = (p: Problem): string => `must be ${p.expected}, not ${p.actual}.`

/**
 * The `ConfigurationError` of a {@link Problem} of a settings object: the setting is the
 * problem's path, or `self` (`options`, `settings`) for the object itself.
 *
 * @since 0.1.0
 */
export const settingError = (p: Problem, self: string): ConfigurationError =>
  new ConfigurationError({ setting: p.path.length === 0 ? self : p.path, reason: reason(p) })

/**
 * `value[name]` when it is an own property of an object (as decoded options read it), else
 * undefined — also when reading it throws (the check of the values reports that).
 *
 * @since 0.1.0
 */
export const ownValue = (value: unknown, name: string): unknown => {
  try {
    return typeof value === "object" && value !== null && Object.hasOwn(value, name)
      ? Reflect.get(value, name)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * A Schema that accepts values `is` accepts, with a description (for declared types: functions,
 * AbortSignals, Layers, Query values).
 *
 * @since 0.1.0
 */
export const refined = <A>(is: (u: unknown) => u is A, description: string): Schema.Schema<A> =>
  Schema.declare(is, { description })

/**
 * A field of an options object that may be left out, `undefined` or `null` — `null` read as
 * "not given" (the key is dropped): what `Schema.optionalWith(schema, { nullable: true })`
 * builds — the same property transformation, checked by the tests against it — without
 * `optionalWith`'s other variants (`as: "Option"`, `default`, `exact`), which a browser bundle
 * would otherwise carry.
 *
 * @since 0.1.0
 */
export const optionalOrNull = <A, I, R>(
  schema: Schema.Schema<A, I, R>
): Schema.PropertySignature<"?:", A | undefined, never, "?:", I | null | undefined, false, R> =>
  Schema.optionalToOptional(Schema.NullishOr(schema), Schema.UndefinedOr(Schema.typeSchema(schema)), {
    decode: Option.filter((a): a is A | undefined => a !== null),
    encode: identity
  })

/**
 * What is wrong with an options object from JavaScript: a key that names no option (with the
 * option it most likely meant), a known option it only inherits, names that cannot be read, or
 * a value that is no options object at all.
 *
 * @since 0.1.0
 */
export interface UnknownOption {
  /**
   * The key as an error may show it: a string key as it is, a symbol key as `Symbol(description)`
   * (its description cut, control characters escaped); "" when `unreadable` or `notOptions`.
   */
  readonly key: string
  /** The known name it most likely meant (the same ignoring case, `_` and `-`, a typo away, or a part of it), or null. */
  readonly suggestion: string | null
  /**
   * True when `key` is a known name the object only inherits (a prototype's property, a class
   * getter): options are read from own properties, so it would be dropped.
   */
  readonly inherited?: boolean
  /** True when the object's names cannot be read (a Proxy whose `ownKeys` throws, or lists a name it then denies having): `key` is "". */
  readonly unreadable?: boolean
  /**
   * What the value is when it is an object but no options object — `an array`, `a Map`, `a Set`,
   * `a Date`, `a Promise`, `a Number` (boxed): its properties hold no options (a Map's entries are
   * no properties), so it would read as empty options. By type, never by value.
   */
  readonly notOptions?: string
  /** What was given under `key`, by type (`a string`, `a function`), never the value itself. */
  readonly given?: string
  /** True when `key` is a known name whose value cannot be read (its getter, or a Proxy's `get`, threw). */
  readonly unreadableValue?: boolean
}

/** Whether `value` has `key` only through its prototype chain (false when asking throws). */
const inheritedOnly = (value: object, key: string): boolean => {
  try {
    return !Object.hasOwn(value, key) && key in value
  } catch {
    return false
  }
}

const normalized = (name: string) => name.toLowerCase().replace(/[-_]/g, "")

/**
 * The edit distance of two strings (insertions, deletions, substitutions and swaps of adjacent
 * UTF-16 code units: `prot` is one edit from `port`); `limit + 1` at once when their lengths
 * differ by more than `limit`. Used to suggest the name a caller most likely meant.
 *
 * @since 0.1.0
 */
export const editDistance = (a: string, b: string, limit: number): number => {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let before: Array<number> = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1)
      row[j] = d
    }
    before = previous
    previous = row
  }
  return previous[b.length] ?? limit + 1
}

/**
 * What an object is when it is no options object, or null for one. An options object is an
 * object literal, `Object.create(null)`, one from another realm (a vm context, an iframe) or an
 * instance of a class holding its options as own properties: anything whose
 * `Object.prototype.toString` says `[object Object]` and that is no thenable. Arrays, functions,
 * Maps, Sets, Dates, RegExps, Errors, boxed primitives, typed arrays and Promises (of any realm:
 * the check reads their internal slots and tags, not their prototypes) are not. Reading it may throw.
 */
const notOptionsObject = (value: object): string | null => {
  if (typeof value === "function") return "a function"
  if (Array.isArray(value)) return "an array"
  // an options object not awaited (`api.getX(key, optionsFor(user))` with an async optionsFor)
  if (typeof Reflect.get(value, "then") === "function") return "a Promise (or another thenable): await it first"
  if (Object.prototype.toString.call(value) !== "[object Object]") return describeValue(value)
  return null
}

/**
 * A symbol key as an error may show it: `Symbol(description)`, the API keys held (and `apiKey`)
 * masked — also any run of 8 of their characters — before it is cut (a cut key would escape the masking), control characters escaped.
 */
const symbolName = (key: symbol, apiKey?: string): string => {
  const d = scrubFragments(key.description ?? "", apiKey === undefined ? [] : [apiKey])
  const cut = d.length > 40 ? `${d.slice(0, 39)}…` : d
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  return `Symbol(${cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)})`
}

/** What `value` holds under `key`, by type (never the value: it may be a key). */
const givenUnder = (value: object, key: PropertyKey): string => {
  try {
    return describeValue(Reflect.get(value, key))
  } catch {
    return "a value that cannot be read"
  }
}

/**
 * What is wrong with `value` as an options object whose names are `known`, or null when nothing
 * is: the first own enumerable key — a string or a symbol — that is not one of `known`, with the
 * known name it most likely meant (`baseURL` or `base_url` for `baseUrl`, `api_key` for `apiKey`,
 * `maxRetires` for `maxRetries`, `full` for `fetchFull`); an object that is no options object
 * (`notOptions`: an array, a Map, a Date, a Promise …, which would read as empty options); one
 * whose names cannot be read (`unreadable`). `null`, `undefined`, primitives and functions are
 * left to the type check (null when `value` is not an object). With `ownOnly` (the options are
 * decoded by {@link check}, which reads own properties only), a known name the object only
 * inherits is reported too (`inherited`), rather than dropped. Never throws.
 *
 * @since 0.1.0
 */
export const unknownOption = (
  value: unknown,
  known: ReadonlyArray<string>,
  ownOnly = false,
  apiKey?: string | (() => string | undefined)
): UnknownOption | null => {
  if (typeof value !== "object" || value === null) return null
  let keys: ReadonlyArray<string>
  let symbols: ReadonlyArray<symbol>
  try {
    const what = notOptionsObject(value)
    if (what !== null) return { key: "", suggestion: null, notOptions: what }
    // one listing of the names (a Proxy's ownKeys runs once), own enumerable ones kept; a name
    // listed without a property (a Proxy whose getOwnPropertyDescriptor denies what ownKeys
    // lists) cannot be read consistently: it would be dropped here and read by a plain `.name`
    const own: Array<string | symbol> = []
    for (const k of Reflect.ownKeys(value)) {
      const d = Reflect.getOwnPropertyDescriptor(value, k)
      if (d === undefined) return { key: "", suggestion: null, unreadable: true }
      if (d.enumerable === true) own.push(k)
    }
    keys = own.filter((k): k is string => typeof k === "string")
    symbols = own.filter((k): k is symbol => typeof k === "symbol")
  } catch {
    // the type check read no names either: an object that hides them would pass as empty
    return { key: "", suggestion: null, unreadable: true }
  }
  const key = keys.find((k) => !known.includes(k))
  if (key === undefined) {
    const symbol = symbols[0]
    if (symbol !== undefined)
      return {
        key: symbolName(symbol, typeof apiKey === "function" ? apiKey() : apiKey),
        suggestion: null,
        given: givenUnder(value, symbol)
      }
    const inherited = ownOnly ? known.find((k) => inheritedOnly(value, k)) : undefined
    return inherited === undefined ? null : { key: inherited, suggestion: null, inherited: true }
  }
  const n = normalized(key)
  const suggestion =
    known.find((k) => normalized(k) === n) ??
    known.find((k) => editDistance(normalized(k), n, 2) <= Math.min(2, Math.floor(k.length / 3))) ??
    // a part of the name, or the name with more (`full` for fetchFull, `workspaceName` for workspace)
    known.find((k) => {
      const m = normalized(k)
      return Math.min(m.length, n.length) >= 3 && (m.startsWith(n) || m.endsWith(n) || n.startsWith(m) || n.endsWith(m))
    }) ??
    null
  return { key, suggestion, given: givenUnder(value, key) }
}

/**
 * The reason of an error about an {@link UnknownOption} of `where` (`new API(...)`, `any call`,
 * `CometConfig`): `is not an option of <where> (did you mean <suggestion>?); the options are
 * <known>.`, or why an inherited name, unreadable names or an object that is no options object
 * are refused.
 *
 * @since 0.1.0
 */
export const unknownOptionReason = (u: UnknownOption, where: string, known: ReadonlyArray<string>): string =>
  u.notOptions !== undefined
    ? `must be a plain object of options ({ ${known.join(", ")} }), not ${u.notOptions}: ${where} reads an object's own properties, so it would read as no options at all.`
    : u.unreadable === true
      ? unreadableReason(where)
      : u.unreadableValue === true
        ? `cannot be read: reading it threw (a getter or a Proxy), so ${where} cannot use it; pass the value itself in a plain object.`
        : u.inherited === true
          ? `is inherited (from a prototype or a class getter), and ${where} reads only an object's own properties: pass a plain object holding it.`
          : `is not an option of ${where}${u.suggestion === null ? "" : ` (did you mean ${u.suggestion}?)`}; the options are ${known.join(", ")}.`

/**
 * `cannot be read …`: the reason of an error about an {@link UnknownOption} that is `unreadable`.
 *
 * @since 0.1.0
 */
export const unreadableReason = (where: string): string =>
  `cannot be read: reading its names threw, or they name properties it does not have (a Proxy or a getter), so ${where} cannot tell which options it holds; pass a plain object.`

/**
 * An option's name as an error shows it: the API keys held (and `apiKey`, when known) masked,
 * also any run of 8 of their characters, then cut to at most 60 characters — masked first, as a key cut short is no longer found.
 */
export const optionName = (name: string, apiKey?: string): string => {
  const masked = scrubFragments(name, apiKey === undefined ? [] : [apiKey])
  return masked.length > 60 ? `${masked.slice(0, 57)}…` : masked
}

/** An API key as text (given as text or `Redacted`), or undefined. */
const keyText = (apiKey: unknown): string | undefined =>
  typeof apiKey === "string" ? apiKey : Redacted.isRedacted(apiKey) ? String(Redacted.value(apiKey)) : undefined

/**
 * What is wrong with an options object (see {@link unknownOption}), located — `name`: the key
 * after `prefix` (cut, the API key masked), or `self` when the object itself is wrong (unreadable,
 * no options object); `given`: what was given there, by type — with the reason; or null. What
 * {@link unknownSetting} and {@link unknownArgument} report, each as its error.
 */
const located = (
  value: unknown,
  known: ReadonlyArray<string>,
  where: string,
  ownOnly: boolean,
  prefix: string,
  self: string,
  apiKey?: unknown
): Located | null => {
  const key = keyText(apiKey)
  const u = unknownOption(value, known, ownOnly, key)
  return u === null ? null : locate(u, known, where, prefix, self, key)
}

interface Located {
  readonly name: string
  readonly given: string
  readonly reason: string
}

/** An {@link UnknownOption} located (see {@link located}). */
const locate = (
  u: UnknownOption,
  known: ReadonlyArray<string>,
  where: string,
  prefix: string,
  self: string,
  key: string | undefined
): Located => {
  const whole = u.unreadable === true || u.notOptions !== undefined
  return {
    name: whole ? self : `${prefix}${optionName(u.key, key)}`,
    given:
      u.unreadable === true || u.unreadableValue === true
        ? "(unreadable)"
        : whole
          ? (u.notOptions ?? "")
          : (u.given ?? ""),
    reason: unknownOptionReason(u, where, known)
  }
}

/**
 * The `ConfigurationError` for what is wrong with a settings object (see {@link unknownOption}),
 * or null: the setting is `<prefix><key>` (`http.retryBudgt`), or the object itself (`prefix`
 * without its dot, or `options`) when it is unreadable or no options object; the key is cut and
 * the API key masked in it (an API key pasted as a name must not be shown).
 *
 * @since 0.1.0
 */
export const unknownSetting = (
  value: unknown,
  known: ReadonlyArray<string>,
  where: string,
  options: SettingOptions = {}
): ConfigurationError | null => {
  const prefix = options.prefix ?? ""
  const l = located(
    value,
    known,
    where,
    options.ownOnly ?? false,
    prefix,
    options.self ?? (prefix.replace(/\.$/, "") || "options"),
    options.apiKey
  )
  return l && new ConfigurationError({ setting: l.name, reason: l.reason })
}

/**
 * The `InvalidArgument` for what is wrong with an options argument (see {@link unknownOption}),
 * or null: the argument is `<param>.<key>` (`options.full`), or `param` itself when it is
 * unreadable or no options object. What was given is described by type only: what is given
 * under a name nothing reads may be a secret (`{ apiKey }`, `{ token }`), and the name alone
 * says what to fix. The API keys held, and `apiKey`, are masked in the name.
 *
 * @since 0.1.0
 */
export const unknownArgument = (
  value: unknown,
  known: ReadonlyArray<string>,
  where: string,
  param: string,
  ownOnly = false,
  apiKey?: string
): InvalidArgument | null => {
  const l = located(value, known, where, ownOnly, `${param}.`, param, apiKey)
  return l && new InvalidArgument({ argument: l.name, value: l.given, reason: l.reason })
}

/** How {@link unknownSetting} and {@link settingsOf} name what is wrong. */
export interface SettingOptions {
  /** Put before the key in the setting's name (`http.`). */
  readonly prefix?: string
  /** The setting naming the object itself (default: `prefix` without its dot, or `options`). */
  readonly self?: string
  /** The API key to mask in a name, as text or `Redacted` (anything else: none). */
  readonly apiKey?: unknown
  /**
   * The name of the option that holds the API key (`apiKey`), when the options carry it: read
   * (with the others, once) to mask it in a name that is refused.
   */
  readonly keyName?: string
  readonly ownOnly?: boolean
}

/**
 * An options object read once: its names checked (see {@link unknownOption}), then every known
 * name it has (own, or inherited too unless `ownOnly`) copied into a frozen plain object, each
 * read once — so a getter runs once, what is checked is what is used, and a getter or Proxy
 * that throws is reported, never thrown. `null` and `undefined` read as no options (`{}`); any
 * other value that is no object is no options object.
 */
const snapshotOf = (
  value: unknown,
  known: ReadonlyArray<string>,
  ownOnly: boolean,
  apiKey: string | undefined,
  keyName: string | undefined
): Either.Either<Readonly<Record<string, unknown>>, readonly [UnknownOption, string | undefined]> => {
  if (value === undefined || value === null) return Either.right(EMPTY)
  if (typeof value !== "object")
    return Either.left([{ key: "", suggestion: null, notOptions: describeValue(value) }, apiKey])
  // the key the options hold, read only when a name is refused (then nothing else is read)
  let key = apiKey
  let keyRead = keyName === undefined
  const keyNow = (): string | undefined => {
    if (!keyRead && keyName !== undefined) {
      keyRead = true
      try {
        key = keyText(ownOnly && !Object.hasOwn(value, keyName) ? undefined : Reflect.get(value, keyName)) ?? key
      } catch {
        // a key that cannot be read is not shown either
      }
    }
    return key
  }
  const u = unknownOption(value, known, ownOnly, keyNow)
  if (u !== null) return Either.left([u, keyNow()])
  const copy: Record<string, unknown> = {}
  for (const name of known) {
    try {
      if (ownOnly ? Object.hasOwn(value, name) : name in value) copy[name] = Reflect.get(value, name)
    } catch {
      return Either.left([{ key: name, suggestion: null, unreadableValue: true }, key])
    }
  }
  return Either.right(Object.freeze(copy))
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({})

/**
 * A settings object from JavaScript read once into a frozen plain object of its known names
 * (see {@link unknownSetting} for what is refused, with the same `ConfigurationError`); a known
 * setting whose getter throws is the `ConfigurationError` naming it. Use the snapshot, not the
 * object given: a getter then runs once and what was checked is what is used.
 *
 * @since 0.1.0
 */
export const settingsOf = <A extends object>(
  value: A | null | undefined,
  known: ReadonlyArray<string>,
  where: string,
  options: SettingOptions = {}
): Either.Either<Partial<A>, ConfigurationError> =>
  Either.mapLeft(
    snapshotOf(value, known, options.ownOnly ?? false, keyText(options.apiKey), options.keyName) as Either.Either<
      Partial<A>,
      readonly [UnknownOption, string | undefined]
    >,
    ([u, key]) => {
      const prefix = options.prefix ?? ""
      const self = options.self ?? (prefix.replace(/\.$/, "") || "options")
      const l = locate(u, known, where, prefix, self, key)
      return new ConfigurationError({ setting: l.name, reason: l.reason })
    }
  )

/**
 * As {@link settingsOf}, for an options argument: what is wrong is the `InvalidArgument` of
 * {@link unknownArgument}.
 *
 * @since 0.1.0
 */
export const argumentOf = <A extends object>(
  value: A | null | undefined,
  known: ReadonlyArray<string>,
  where: string,
  param: string,
  ownOnly = false
): Either.Either<Partial<A>, InvalidArgument> =>
  Either.mapLeft(
    snapshotOf(value, known, ownOnly, undefined, undefined) as Either.Either<
      Partial<A>,
      readonly [UnknownOption, string | undefined]
    >,
    ([u]) => {
      const l = locate(u, known, where, `${param}.`, param, undefined)
      return new InvalidArgument({ argument: l.name, value: l.given, reason: l.reason })
    }
  )

/**
 * The `InvalidArgument` of a {@link Problem} of an options argument: the argument is
 * `<param>.<path>` (`options.seed`), or `param` for the object itself.
 *
 * @since 0.1.0
 */
export const argumentError = (p: Problem, param: string): InvalidArgument =>
  new InvalidArgument({
    argument: p.path.length === 0 ? param : `${param}.${p.path}`,
    value: p.value,
    reason: reason(p)
  })

/**
 * An options argument from JavaScript read once and checked: its names against the fields of
 * `schema` (own properties only; see {@link argumentOf}), then its values against `schema` (see
 * {@link check}); what is wrong is the `InvalidArgument` naming it (`options.maxdepth`,
 * `options.seed`). `null` and `undefined` read as no options.
 *
 * @since 0.1.0
 */
export const optionsArgument = <A, I>(
  value: unknown,
  schema: Schema.Schema<A, I, never> & { readonly fields: Schema.Struct.Fields },
  where: string,
  param = "options"
): Either.Either<A, InvalidArgument> =>
  Either.flatMap(argumentOf(value as object | undefined, Object.keys(schema.fields), where, param, true), (given) =>
    Either.mapLeft(check(schema, given), (p) => argumentError(p, param))
  )
