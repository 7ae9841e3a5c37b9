/**
 * The http-specific settings: their defaults, their validation (a bad value is a
 * `ConfigurationError`) and their resolved form, in milliseconds and bytes.
 *
 * @internal
 */
import { ConfigurationError, type ResolvedConfig } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import type { CometHttpSettings } from "./contract.js"

/** Defaults of the http-specific settings. */
export const DEFAULTS = {
  retryBudget: Duration.minutes(2),
  retryBaseDelay: Duration.millis(200),
  retryMaxDelay: Duration.seconds(20),
  maxBodyBytes: 2 * 1024 * 1024 * 1024,
  maxJsonBytes: 256 * 1024 * 1024,
  cacheMaxEntryBytes: 1024 * 1024,
  errorBodyBytes: 64 * 1024
} as const

/** Settings after defaults and validation. */
export interface Resolved {
  readonly config: ResolvedConfig
  readonly retryBudgetMillis: number
  readonly baseDelayMillis: number
  readonly maxDelayMillis: number
  readonly maxBodyBytes: number
  /** The limit of JSON bodies (`get`, `post`): at most `maxBodyBytes`. */
  readonly maxJsonBytes: number
  readonly cache: { readonly capacity: number; readonly ttlMillis: number; readonly maxEntryBytes: number } | null
  readonly rateLimitAlgorithm: "token-bucket" | "fixed-window"
  readonly manualRedirects: boolean
}

/** Apply the defaults of the http-specific settings. */
export const resolveSettings = (config: ResolvedConfig, settings: CometHttpSettings): Resolved => ({
  config,
  retryBudgetMillis: Duration.toMillis(Duration.decode(settings.retryBudget ?? DEFAULTS.retryBudget)),
  baseDelayMillis: Duration.toMillis(Duration.decode(settings.retryBaseDelay ?? DEFAULTS.retryBaseDelay)),
  maxDelayMillis: Duration.toMillis(Duration.decode(settings.retryMaxDelay ?? DEFAULTS.retryMaxDelay)),
  maxBodyBytes: settings.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
  maxJsonBytes: Math.min(
    settings.maxJsonBytes ?? DEFAULTS.maxJsonBytes,
    settings.maxBodyBytes ?? DEFAULTS.maxBodyBytes
  ),
  cache:
    settings.cache === undefined || settings.cache === null
      ? null
      : {
          capacity: settings.cache.capacity,
          ttlMillis: Duration.toMillis(Duration.decode(settings.cache.timeToLive)),
          maxEntryBytes: settings.cache.maxEntryBytes ?? DEFAULTS.cacheMaxEntryBytes
        },
  rateLimitAlgorithm: settings.rateLimitAlgorithm ?? "token-bucket",
  manualRedirects: settings.manualRedirects ?? true
})

/**
 * Check the settings; the first problem fails with a `ConfigurationError` naming the setting:
 * a name the settings do not have (with the one meant, the API key masked in it), then a bad
 * value. The settings are read once ({@link snapshotSettings}) unless `apiKey` is null (then
 * `settings` is such a snapshot already, its names checked by the caller); the snapshot checked
 * is what succeeds, for the caller to use instead of the object given. Settings from JavaScript
 * may be anything: when reading them throws (a getter, a Proxy, no object at all), that is the
 * ConfigurationError too, never the exception itself.
 */
export const checkSettings = (
  settings: CometHttpSettings,
  apiKey: Redacted.Redacted<string> | null
): Effect.Effect<CometHttpSettings, ConfigurationError> =>
  Effect.suspend(() => {
    const read =
      apiKey === null
        ? Either.right(settings)
        : snapshotSettings(settings, SETTING_NAMES, "the http settings", { apiKey })
    if (Either.isLeft(read)) return Effect.fail(read.left)
    let first: readonly [string, string] | undefined
    try {
      first = problemsOf(read.right)[0]
    } catch (e) {
      first = [
        "settings",
        `could not be read (${e instanceof Error ? e.name : "an exception"} while reading them): pass a plain object of settings.`
      ]
    }
    return first === undefined
      ? Effect.succeed(read.right)
      : Effect.fail(new ConfigurationError({ setting: first[0], reason: first[1] }))
  })

/** The names of the http settings (`CometHttpSettings`), complete by type. */
export const SETTING_NAMES: ReadonlyArray<string> = Object.keys({
  cache: true,
  retryBudget: true,
  retryBaseDelay: true,
  retryMaxDelay: true,
  maxBodyBytes: true,
  maxJsonBytes: true,
  rateLimitAlgorithm: true,
  manualRedirects: true
} satisfies Record<keyof CometHttpSettings, true>)

/** The names of the cache settings, complete by type. */
const CACHE_NAMES: ReadonlyArray<string> = Object.keys({
  capacity: true,
  timeToLive: true,
  maxEntryBytes: true
} satisfies Record<keyof NonNullable<CometHttpSettings["cache"]>, true>)

/**
 * Settings (or options holding them) read once into a frozen snapshot of the `names` they have
 * (inherited ones too: settings are read as given), their cache settings likewise — or the
 * ConfigurationError of a name they do not have (`retryBudgt`, `cache.ttl`), with the one meant,
 * of settings that are no settings object (a Map) or whose names or values cannot be read. The
 * API key (`apiKey`, or the option `keyName` holds) is masked in a name. Use the snapshot: a
 * getter then runs once, and what was checked is what is used.
 */
export const snapshotSettings = (
  settings: unknown,
  names: ReadonlyArray<string>,
  where: string,
  key: { readonly apiKey?: unknown; readonly keyName?: string }
): Either.Either<CometHttpSettings, ConfigurationError> =>
  Either.flatMap(
    Inputs.settingsOf(settings as CometHttpSettings | undefined, names, where, { self: "settings", ...key }),
    (top) => {
      const cache: unknown = top.cache
      // a cache of another type (an array, a number) is reported with its expected shape by the check of the values
      if (typeof cache !== "object" || cache === null || Array.isArray(cache)) return Either.right(top)
      const apiKey = key.keyName === undefined ? key.apiKey : Reflect.get(top, key.keyName)
      return Either.map(
        Inputs.settingsOf(cache as NonNullable<CometHttpSettings["cache"]>, CACHE_NAMES, "the http cache settings", {
          prefix: "cache.",
          apiKey
        }),
        (c) => Object.freeze({ ...top, cache: c }) as CometHttpSettings
      )
    }
  )

/** Every problem of the settings, in the order they are declared (reading them may throw). */
const problemsOf = (settings: CometHttpSettings): ReadonlyArray<readonly [string, string]> => {
  const problems: Array<[string, string]> = []
  const nonNegative = (name: string, d: Duration.DurationInput | undefined) => {
    if (d === undefined) return
    const decoded = Duration.decodeUnknown(d)
    if (decoded._tag === "None" || !Duration.isFinite(decoded.value)) problems.push([name, "must be a finite duration"])
  }
  nonNegative("retryBudget", settings.retryBudget)
  nonNegative("retryBaseDelay", settings.retryBaseDelay)
  nonNegative("retryMaxDelay", settings.retryMaxDelay)
  if (
    settings.maxBodyBytes !== undefined &&
    !(Number.isSafeInteger(settings.maxBodyBytes) && settings.maxBodyBytes > 0)
  ) {
    problems.push(["maxBodyBytes", "must be a positive integer"])
  }
  if (
    settings.maxJsonBytes !== undefined &&
    !(Number.isSafeInteger(settings.maxJsonBytes) && settings.maxJsonBytes > 0)
  ) {
    problems.push(["maxJsonBytes", "must be a positive integer"])
  }
  const cacheValue: unknown = settings.cache
  if (
    cacheValue !== undefined &&
    cacheValue !== null &&
    (typeof cacheValue !== "object" || Array.isArray(cacheValue))
  ) {
    problems.push([
      "cache",
      `must be an object { capacity, timeToLive } (capacity: a positive integer; timeToLive: a duration such as "5 minutes"; optional maxEntryBytes), or null for none; got ${typeof cacheValue === "string" || typeof cacheValue === "number" || typeof cacheValue === "boolean" ? JSON.stringify(cacheValue) : Inputs.describeValue(cacheValue)}`
    ])
  } else if (settings.cache !== undefined && settings.cache !== null) {
    const c = settings.cache
    if (!(Number.isSafeInteger(c.capacity) && c.capacity > 0))
      problems.push(["cache.capacity", "must be a positive integer"])
    const ttl = Duration.decodeUnknown(c.timeToLive)
    if (ttl._tag === "None" || Duration.toMillis(ttl.value) <= 0)
      problems.push(["cache.timeToLive", "must be a positive duration"])
    if (c.maxEntryBytes !== undefined && !(Number.isSafeInteger(c.maxEntryBytes) && c.maxEntryBytes >= 0)) {
      problems.push(["cache.maxEntryBytes", "must be a non-negative integer"])
    }
  }
  return problems
}
