/**
 * The runtime types of the explicit options of `CometConfig.resolve` (what `new API(...)`,
 * `CometConfig.layer` and `CometHttp.layer` pass), checked before anything reads them: a plain-JS
 * caller's `baseUrl: 42` or `rateLimit: null` is a `ConfigurationError` naming the option, not
 * a `TypeError`. `null` is read as "not given". The values themselves (a positive number, a URL
 * with a scheme, a usable key) are checked where they are resolved.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { ConfigurationError } from "../Errors.js"
import * as Inputs from "../Inputs.js"

const optional = Inputs.optionalOrNull

/** Numbers, or text holding one (as environment variables are). */
const NumberLike = Schema.Union(Schema.Number, Schema.String).annotations({ description: "a number" })

const Text = Schema.String.annotations({ description: "a string" })

const Key = Schema.Union(
  Schema.String,
  Inputs.refined((u): u is Redacted.Redacted<string> => Redacted.isRedacted(u), "a Redacted")
).annotations({ description: "a string (or a Redacted string)" })

/** Configuration sources: kept as given (their methods may use `this`), only their shape checked. */
const Sources = Inputs.refined(
  (u): u is object =>
    typeof u === "object" &&
    u !== null &&
    ["env", "readFile", "isDirectory"].every((k) => typeof Reflect.get(u, k) === "function") &&
    ["cwd", "home"].every((k) => ["string", "undefined"].includes(typeof Reflect.get(u, k))),
  "configuration sources ({ env, readFile, isDirectory, cwd?, home? })"
)

/**
 * The Schema of the explicit options (types only).
 *
 * @internal
 */
export const OptionTypes = Schema.Struct({
  apiKey: optional(Key),
  baseUrl: optional(Text),
  timeoutMs: optional(NumberLike),
  downloadTimeoutMs: optional(NumberLike),
  maxConcurrency: optional(NumberLike),
  maxRetries: optional(NumberLike),
  rateLimit: optional(
    Schema.Struct({ limit: NumberLike, intervalMs: NumberLike }).annotations({
      description: "a rate limit ({ limit, intervalMs })"
    })
  ),
  allowInsecureHttp: optional(Schema.Boolean.annotations({ description: "true or false" })),
  proxy: optional(
    Schema.Union(Text, Schema.Literal(false)).annotations({ description: "a proxy URL, or false for none" })
  ),
  workspace: optional(Text),
  projectName: optional(Text),
  sources: optional(Sources)
}).annotations({ description: "an options object" })

/** The names of the explicit options (an unknown one is refused). */
const OPTION_NAMES: ReadonlyArray<string> = Object.keys(OptionTypes.fields)

const RATE_LIMIT_NAMES: ReadonlyArray<string> = ["limit", "intervalMs"]

/**
 * The options with their runtime types checked (`null` and `undefined` read as "not given"),
 * or the `ConfigurationError` naming the first option of the wrong type — or of no name the
 * options have (`api_key`, `baseURL`: refused as `new API(...)` refuses them, with the option
 * meant, the API key masked when it is used as a name), inherited, or behind names that cannot
 * be read, and options that are no options object (a Map, an array).
 *
 * @internal
 */
export const checkOptions = <O>(options: O): Either.Either<O, ConfigurationError> =>
  // read once (each option: a getter runs once, what is checked is what is used), the names
  // checked as they are read (the key, read with them, masked in a name refused), then the types
  // (a value that is no object at all is told by the type check: "must be an options object")
  Either.flatMap(
    typeof options === "object" && options !== null
      ? Inputs.settingsOf(options, OPTION_NAMES, "CometConfig", { keyName: "apiKey", ownOnly: true })
      : Either.right(options ?? {}),
    (given) =>
      Either.flatMap(
        Either.mapLeft(Inputs.check(OptionTypes, given), (p) => Inputs.settingError(p, "options")),
        (decoded): Either.Either<O, ConfigurationError> => {
          // the rate limit's names, from the object given (its values were read once, by the type check)
          const unknown = Inputs.unknownSetting(
            Inputs.ownValue(given, "rateLimit"),
            RATE_LIMIT_NAMES,
            "the rate limit",
            {
              prefix: "rateLimit.",
              apiKey: decoded.apiKey,
              ownOnly: true
            }
          )
          return unknown === null ? Either.right(decoded as O) : Either.left(unknown)
        }
      )
  )
