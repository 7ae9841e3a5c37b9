/**
 * `CometConfig`: the client's configuration, read through Effect's `Config` and
 * `ConfigProvider` under the names comet_ml uses (`COMET_API_KEY`, `COMET_URL_OVERRIDE`,
 * `COMET_TIMEOUT_API`, …). Explicit options win; the rest comes from a ConfigProvider: comet_ml's
 * own sources ({@link provider}: the environment, then `./.env`, then the INI files
 * `COMET_INI`/`COMET_CONFIG`, `./.comet.config`, Colab's `/content/drive/MyDrive/.comet.config`,
 * `~/.comet.config`, section `[comet]`), or any provider an Effect program sets
 * (`ConfigProvider.fromMap`, `fromJson`, its own). The API key is `Config.redacted`, and stays
 * `Redacted` from here to the request header.
 *
 * Adding a setting is one change in this file: its field in `ResolvedConfig` (and its option in
 * `CometOptions` when users may set it explicitly), then its entry in `SETTINGS` — the names it
 * is read under, how its text and its option are checked, its default. The compiler points at
 * whatever is missing; the facade, every Layer and every ConfigProvider pick it up from there.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as ConfigProviderPathPatch from "effect/ConfigProviderPathPatch"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { ConfigurationError } from "./Errors.js"
import { checkKeyText } from "./internal/apiKey.js"
import { parseDotEnv, parseIni } from "./internal/configFiles.js"
import { checkOptions as checkOptionTypes } from "./internal/options.js"
import { parseKey } from "./internal/smartKey.js"
import * as Network from "./Network.js"
import * as Secrets from "./Secrets.js"

/**
 * Where comet_ml's configuration is read from: environment variables and files. The default
 * ({@link processSources}) reads `process.env` and the file system in Node; in a browser it sees
 * neither.
 *
 * @since 0.1.0
 */
export interface ConfigSources {
  /** An environment variable, or undefined. */
  readonly env: (name: string) => string | undefined
  /** A file's text, or undefined when it does not exist. */
  readonly readFile: (path: string) => string | undefined
  /** Whether a path is a directory. */
  readonly isDirectory: (path: string) => boolean
  /** The working directory, if there is one. */
  readonly cwd: string | undefined
  /** The user's home directory, if there is one. */
  readonly home: string | undefined
  /** The names of the environment variables (for ConfigProvider enumeration); optional. */
  readonly envNames?: (() => Iterable<string>) | undefined
}

/**
 * Options a user can give explicitly; everything left out comes from a ConfigProvider.
 *
 * @since 0.1.0
 */
export interface CometOptions {
  /** The Comet API key (a string or a `Redacted`). Default: `COMET_API_KEY`. */
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
  /**
   * The server. Only scheme, host and port are used (as `COMET_URL_OVERRIDE` in the Python
   * SDK); REST calls go to `<root>/api/rest/v2/`. Default: `https://www.comet.com`.
   */
  readonly baseUrl?: string | undefined
  /** Per-attempt timeout of REST calls, in ms. Default: `COMET_TIMEOUT_API` seconds, or 10 s. */
  readonly timeoutMs?: number | undefined
  /** Per-attempt timeout of asset downloads, in ms. Default: `COMET_TIMEOUT_FILE_DOWNLOAD`, or 600 s. */
  readonly downloadTimeoutMs?: number | undefined
  /** Requests in flight at most. Default: `COMET_TS_MAX_CONCURRENCY`, or 8. */
  readonly maxConcurrency?: number | undefined
  /** Retries of one request at most. Default: `COMET_HTTP_SESSION_RETRY_TOTAL`, or 8. */
  readonly maxRetries?: number | undefined
  /** A client-side rate limit: at most `limit` request starts per `intervalMs`. Off by default. */
  readonly rateLimit?: { readonly limit: number; readonly intervalMs: number } | undefined
  /** Allow sending the key over plain http to a host that is not loopback. Default: `COMET_TS_ALLOW_INSECURE_HTTP`, or false. */
  readonly allowInsecureHttp?: boolean | undefined
  /**
   * The proxy every request goes through (`http://[user:pass@]host:port`), or `false` for none.
   * Default: `HTTPS_PROXY` / `HTTP_PROXY` (either case), with `NO_PROXY` (Node's transport).
   */
  readonly proxy?: string | false | undefined
  /** Default workspace (`COMET_WORKSPACE`). */
  readonly workspace?: string | undefined
  /** Default project (`COMET_PROJECT_NAME`). */
  readonly projectName?: string | undefined
  /** Read comet_ml's sources from here instead of the process (tests, browsers); see {@link layer}. */
  readonly sources?: ConfigSources | undefined
}

/**
 * The resolved configuration every other package reads.
 *
 * @since 0.1.0
 */
export interface ResolvedConfig {
  readonly apiKey: Redacted.Redacted<string>
  /** `scheme://host[:port]`, no trailing slash. */
  readonly baseUrl: string
  /** `<baseUrl>/api/rest/v2/`. */
  readonly restUrl: string
  readonly timeout: Duration.Duration
  readonly downloadTimeout: Duration.Duration
  readonly maxConcurrency: number
  readonly maxRetries: number
  readonly rateLimit: { readonly limit: number; readonly interval: Duration.Duration } | null
  readonly allowInsecureHttp: boolean
  readonly workspace: string | null
  readonly projectName: string | null
  /** Where the key came from (`apiKey` for the option, else the name it was read under): for diagnostics, never the key. */
  readonly apiKeySource: string
  /** The server a self-hosted "smart" key names (`<key>*<base64 JSON>`), or null: for diagnostics. */
  readonly apiKeyServer: string | null
  /** The proxy of `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`, or of the `proxy` option (Node's transport). */
  readonly proxy: Network.ProxyConfig
  /** Extra certificate authorities and certificate checks (Node's transport). */
  readonly tls: Network.TlsConfig
}

/**
 * The tag of {@link CometConfig} without its statics, which a bundle keeps whenever it keeps the
 * class: what this module's layers provide, so that a bundle that uses the functions (the
 * facade's: {@link layer}, {@link processSources}) and never names the class carries no other.
 * Pure, so the class (which only extends it) is dropped when unused.
 */
const service = /* @__PURE__ */ Context.Tag("@comet-ts/core/CometConfig")<CometConfig, ResolvedConfig>()

/**
 * The resolved configuration as an Effect service, with its Layers as statics
 * (`CometConfig.layer(options)`, `CometConfig.layerConfig`, …; see the functions of the same
 * names).
 *
 * @since 0.1.0
 */
export class CometConfig extends service {
  /** See {@link layer}. */
  static layer(options?: CometOptions): Layer.Layer<CometConfig, ConfigurationError> {
    return layer(options)
  }
  /** See {@link layerConfig}. */
  static get layerConfig(): Layer.Layer<CometConfig, ConfigurationError> {
    return layerConfig
  }
  /** See {@link layerConfigWith}. */
  static layerConfigWith(options: CometOptions): Layer.Layer<CometConfig, ConfigurationError> {
    return layerConfigWith(options)
  }
  /** See {@link layerResolved}. */
  static layerResolved(config: ResolvedConfig): Layer.Layer<CometConfig> {
    return layerResolved(config)
  }
  /** See {@link resolve}. */
  static resolve(options?: CometOptions): Effect.Effect<ResolvedConfig, ConfigurationError> {
    return resolve(options)
  }
  /** See {@link config}. */
  static get config(): Config.Config<ResolvedConfig> {
    return config
  }
  /** See {@link provider}. */
  static provider(sources?: ConfigSources): ConfigProvider.ConfigProvider {
    return provider(sources)
  }
  /** See {@link processSources}. */
  static processSources(): ConfigSources {
    return processSources()
  }
  /** See {@link staticSources}. */
  static staticSources(
    env: Readonly<Record<string, string | undefined>>,
    files?: Readonly<Record<string, string>>,
    dirs?: { readonly cwd?: string | undefined; readonly home?: string | undefined }
  ): ConfigSources {
    return staticSources(env, files, dirs)
  }
}

/** The Python SDK's default server. */
export const DEFAULT_URL = "https://www.comet.com/clientlib/"

// ---------------------------------------------------------------------------------------------
// Checks shared by text read from a provider and explicit options. Each returns the value or the
// reason it is unusable; the caller names the setting.

type Check<A> = Either.Either<A, string>

/** Why an explicit option is unusable; `setting` names a part of it (`rateLimit.limit`). */
type Problem = string | { readonly setting: string; readonly reason: string }

const isLoopback = (hostname: string): boolean => {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase()
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h)
}

/**
 * The key's own check (printable ASCII only: internal/apiKey.ts), for every source of the key;
 * a self-hosted "smart" key (`<key>*<base64 JSON>`) is checked here too, its server applied in
 * `finish`.
 */
const checkKey = (raw: string): Check<string> =>
  Either.flatMap(checkKeyText(raw), (key) => {
    const parsed = parseKey(key)
    return "problem" in parsed ? Either.left(parsed.problem) : Either.right(parsed.header)
  })

const checkUrl = (url: string): Check<URL> => {
  const trimmed = url.trim()
  if (!/^https?:\/\//i.test(trimmed)) {
    return Either.left(
      `${JSON.stringify(trimmed)} has no http:// or https:// scheme. Write the full URL, like https://www.comet.com or http://127.0.0.1:4820.`
    )
  }
  let parsed: URL
  try {
    parsed = new URL(trimmed)
  } catch {
    return Either.left(`${JSON.stringify(trimmed)} is not a valid URL. Write it like https://www.comet.com.`)
  }
  return parsed.hostname.length > 0 ? Either.right(parsed) : Either.left(`${JSON.stringify(trimmed)} has no host.`)
}

/**
 * Reduce a server URL to its root (`scheme://host[:port]`) as the Python SDK does with
 * `COMET_URL_OVERRIDE`, refusing URLs without an http(s) scheme.
 *
 * @since 0.1.0
 */
export const rootUrl = (url: string, setting = "baseUrl"): Effect.Effect<URL, ConfigurationError> =>
  Either.match(checkUrl(url), {
    onLeft: (reason) => Effect.fail(new ConfigurationError({ setting, reason })),
    onRight: Effect.succeed
  })

const number =
  ({ integer = false, allowZero = false, unit = "" }: { integer?: boolean; allowZero?: boolean; unit?: string }) =>
  (raw: string | number): Check<number> => {
    const n = typeof raw === "number" ? raw : raw.trim().length === 0 ? Number.NaN : Number(raw.trim())
    const ok = Number.isFinite(n) && (allowZero ? n >= 0 : n > 0) && (!integer || Number.isInteger(n))
    return ok
      ? Either.right(n)
      : Either.left(
          `${JSON.stringify(String(raw))} is not ${allowZero ? "a non-negative" : "a positive"} ${integer ? "integer" : "number"}${unit}.`
        )
  }

const boolean = (raw: string): Check<boolean> => {
  const t = raw.trim().toLowerCase()
  if (["1", "true", "yes", "on"].includes(t)) return Either.right(true)
  if (["0", "false", "no", "off"].includes(t)) return Either.right(false)
  return Either.left(`${JSON.stringify(raw)} is not a boolean (1/true/yes/on or 0/false/no/off).`)
}

// ---------------------------------------------------------------------------------------------
// The settings table.

/** A value and where it came from: the option's name, the name it was read under, or "default". */
interface Found<A> {
  readonly value: A
  readonly from: string
}

interface Setting<A> {
  /** The explicit option that sets it, when there is one. */
  readonly option: keyof CometOptions | undefined
  /** Read it from the current ConfigProvider: the first name that is set wins; None when none is. */
  readonly config: Config.Config<Option.Option<Found<A>>>
  /** Its explicit option, checked; undefined when the option is not given. */
  readonly explicit: (options: CometOptions) => Either.Either<A, Problem> | undefined
  /** Its default, or (for a required setting) the reason when nothing sets it. */
  readonly fallback: { readonly value: A } | { readonly missing: string }
}

/**
 * Text under `name`, checked by `parse`. Blank text counts as unset, as in comet_ml — unless
 * `blank` is given: then blank text is set, to that value (see {@link BLANK_IS_SET}).
 */
const textAt = <A>(
  name: string,
  description: string,
  parse: (text: string) => Check<A>,
  blank?: { readonly value: A }
): Config.Config<A> =>
  Config.nested(
    Config.primitive(description, (text) =>
      text.trim().length === 0
        ? blank === undefined
          ? Either.left(ConfigError.MissingData([], `${name} is empty`))
          : Either.right(blank.value)
        : Either.mapLeft(parse(text), (reason) => ConfigError.InvalidData([], reason))
    ),
    name
  )

/**
 * The names whose blank value is a value, not "unset": comet_ml reads `COMET_URL_OVERRIDE` from
 * the first source that has it, even empty (everett), and reads an empty one as its default
 * server, `https://www.comet.com/clientlib/` (`config_api.get_comet_url_override`) — so the
 * files after it are not read, and a self-hosted key's server is not used either.
 */
const BLANK_IS_SET: ReadonlySet<string> = new Set(["COMET_URL_OVERRIDE"])

/**
 * A value under the first of `names` that is set; None when none is. Text that is set but
 * unusable is an error naming the setting, never a fall-through to the next name.
 */
const firstSet = <A>(
  names: ReadonlyArray<string>,
  one: (name: string) => Config.Config<A>
): Config.Config<Option.Option<Found<A>>> => {
  const [first, ...rest] = names.map((name) => Config.map(one(name), (value): Found<A> => ({ value, from: name })))
  if (first === undefined) return Config.succeed(Option.none())
  return Config.option(
    rest.reduce((acc, next) => Config.orElseIf(acc, { if: ConfigError.isMissingDataOnly, orElse: () => next }), first)
  )
}

/** A setting read from text under `names` (none: option only), and set by the option `option`. */
const setting = <A, K extends keyof CometOptions>(s: {
  readonly names: ReadonlyArray<string>
  readonly description: string
  readonly text?: (text: string) => Check<A>
  readonly option: K
  readonly fromOption: (value: Exclude<CometOptions[K], undefined>) => Either.Either<A, Problem>
  readonly fallback: { readonly value: A } | { readonly missing: string }
}): Setting<A> => {
  const text = s.text
  const blank = "value" in s.fallback ? { value: s.fallback.value } : undefined
  return {
    option: s.option,
    config:
      text === undefined
        ? Config.succeed(Option.none())
        : firstSet(s.names, (n) => textAt(n, s.description, text, BLANK_IS_SET.has(n) ? blank : undefined)),
    explicit: (options) => {
      const value = options[s.option]
      return value === undefined ? undefined : s.fromOption(value as Exclude<CometOptions[K], undefined>)
    },
    fallback: s.fallback
  }
}

type SettingName = Exclude<keyof ResolvedConfig, "restUrl" | "apiKeySource" | "apiKeyServer">

/** An optional setting read from several names at once; never explicit. */
const optionalText = <A>(name: string, description: string, parse: (text: string) => Check<A>) =>
  Config.option(textAt(name, description, parse))

/** The proxy variables, lower case first (as curl); None when none is set. */
const proxyFromProvider: Config.Config<Option.Option<Found<Network.ProxyConfig>>> = Config.map(
  Config.all({
    http: firstSet(Network.PROXY_VARIABLES.http, (n) => textAt(n, "a proxy URL", Network.checkProxy)),
    https: firstSet(Network.PROXY_VARIABLES.https, (n) => textAt(n, "a proxy URL", Network.checkProxy)),
    none: firstSet(Network.PROXY_VARIABLES.none, (n) => textAt(n, "hosts", (t) => Either.right(t.trim())))
  }),
  ({ http, https, none }) =>
    Option.isNone(http) && Option.isNone(https)
      ? Option.none()
      : Option.some({
          value: {
            httpProxy: Option.isSome(http) ? http.value.value : null,
            httpsProxy: Option.isSome(https) ? https.value.value : null,
            noProxy: Option.isSome(none) ? none.value.value : "",
            ...(Option.isSome(http) ? { httpProxyFrom: http.value.from } : {}),
            ...(Option.isSome(https) ? { httpsProxyFrom: https.value.from } : {})
          },
          from: Option.isSome(https) ? https.value.from : Option.isSome(http) ? http.value.from : "default"
        })
)

/** The CA bundle variables and comet_ml's certificate check; None when none is set. */
const tlsFromProvider: Config.Config<Option.Option<Found<Network.TlsConfig>>> = Config.map(
  Config.all({
    files: Config.all(Network.CA_VARIABLES.map((n) => optionalText(n, "a PEM file", (t) => Either.right(t.trim())))),
    check: optionalText("COMET_INTERNAL_CHECK_TLS_CERTIFICATE", "a boolean", Network.parseBool)
  }),
  ({ files, check }) => {
    const caFiles = Network.CA_VARIABLES.flatMap((setting, i) => {
      const path = files[i]
      return path !== undefined && Option.isSome(path) ? [{ setting, path: path.value }] : []
    })
    if (caFiles.length === 0 && Option.isNone(check)) return Option.none()
    return Option.some({
      value: { caFiles, checkTlsCertificate: Option.getOrElse(check, () => true) },
      from: "COMET_INTERNAL_CHECK_TLS_CERTIFICATE"
    })
  }
)

const MISSING_KEY =
  "no Comet API key was found. Pass { apiKey }, set COMET_API_KEY, or add api_key under [comet] in ~/.comet.config (as for the Python SDK); in Effect code, any ConfigProvider can supply COMET_API_KEY."

const seconds = number({ unit: " of seconds" })
const millis = number({ unit: " of milliseconds" })

/**
 * Every setting, once: names and defaults as comet_ml has them (comet_ml 3.58.8,
 * `comet_ml/config`), plus the `COMET_TS_*` settings of this client.
 */
const SETTINGS: { readonly [K in SettingName]: Setting<ResolvedConfig[K]> } = {
  apiKey: {
    option: "apiKey",
    // Read as Config.redacted: the key is Redacted from the provider on. It is checked after
    // (a check inside Config.redacted has its message replaced by "<redacted>"; ours names the
    // unusable character and its place, never the key).
    config: firstSet(["COMET_API_KEY", "COMET_REST_API_KEY"], (name) =>
      Config.mapOrFail(Config.redacted(textAt(name, "a Comet API key", Either.right)), (key) =>
        Either.mapBoth(checkKey(Redacted.value(key)), {
          onLeft: (reason) => ConfigError.InvalidData([name], reason),
          onRight: Redacted.make
        })
      )
    ),
    explicit: (options) =>
      options.apiKey === undefined
        ? undefined
        : Either.map(
            checkKey(Redacted.isRedacted(options.apiKey) ? Redacted.value(options.apiKey) : options.apiKey),
            Redacted.make
          ),
    fallback: { missing: MISSING_KEY }
  },
  baseUrl: setting({
    names: ["COMET_URL_OVERRIDE"],
    description: "the Comet server's URL",
    text: (text) => Either.map(checkUrl(text), (u) => u.origin),
    option: "baseUrl",
    fromOption: (url) => Either.map(checkUrl(url), (u) => u.origin),
    fallback: { value: new URL(DEFAULT_URL).origin }
  }),
  timeout: setting({
    names: ["COMET_TIMEOUT_API"],
    description: "seconds",
    text: (text) => Either.map(seconds(text), Duration.seconds),
    option: "timeoutMs",
    fromOption: (ms) => Either.map(millis(ms), Duration.millis),
    fallback: { value: Duration.seconds(10) }
  }),
  downloadTimeout: setting({
    names: ["COMET_TIMEOUT_FILE_DOWNLOAD"],
    description: "seconds",
    text: (text) => Either.map(seconds(text), Duration.seconds),
    option: "downloadTimeoutMs",
    fromOption: (ms) => Either.map(millis(ms), Duration.millis),
    fallback: { value: Duration.seconds(600) }
  }),
  maxConcurrency: setting({
    names: ["COMET_TS_MAX_CONCURRENCY"],
    description: "a positive integer",
    text: number({ integer: true }),
    option: "maxConcurrency",
    fromOption: number({ integer: true }),
    fallback: { value: 8 }
  }),
  maxRetries: setting({
    names: ["COMET_HTTP_SESSION_RETRY_TOTAL"],
    description: "a non-negative integer",
    text: number({ integer: true, allowZero: true }),
    option: "maxRetries",
    fromOption: number({ integer: true, allowZero: true }),
    fallback: { value: 8 }
  }),
  rateLimit: setting({
    names: [],
    description: "a rate limit",
    option: "rateLimit",
    fromOption: (r) => {
      const limit = number({ integer: true })(r.limit)
      if (Either.isLeft(limit)) return Either.left({ setting: "rateLimit.limit", reason: limit.left })
      const ms = millis(r.intervalMs)
      if (Either.isLeft(ms)) return Either.left({ setting: "rateLimit.intervalMs", reason: ms.left })
      return Either.right({ limit: limit.right, interval: Duration.millis(ms.right) })
    },
    fallback: { value: null }
  }),
  allowInsecureHttp: setting({
    names: ["COMET_TS_ALLOW_INSECURE_HTTP"],
    description: "a boolean",
    text: boolean,
    option: "allowInsecureHttp",
    fromOption: (b) => Either.right(b),
    fallback: { value: false }
  }),
  workspace: setting<string | null, "workspace">({
    names: ["COMET_WORKSPACE"],
    description: "a workspace name",
    text: (text) => Either.right(text.trim()),
    option: "workspace",
    fromOption: (w) => Either.right(w),
    fallback: { value: null }
  }),
  projectName: setting<string | null, "projectName">({
    names: ["COMET_PROJECT_NAME"],
    description: "a project name",
    text: (text) => Either.right(text.trim()),
    option: "projectName",
    fromOption: (p) => Either.right(p),
    fallback: { value: null }
  }),
  proxy: {
    option: "proxy",
    config: proxyFromProvider,
    explicit: (options) => {
      const p = options.proxy
      if (p === undefined) return undefined
      if (p === false) return Either.right(Network.noProxy)
      return Either.map(Network.checkProxy(p), (url) => ({
        httpProxy: url,
        httpsProxy: url,
        noProxy: "",
        httpProxyFrom: "proxy",
        httpsProxyFrom: "proxy"
      }))
    },
    fallback: { value: Network.noProxy }
  },
  tls: {
    option: undefined,
    config: tlsFromProvider,
    explicit: () => undefined,
    fallback: { value: Network.defaultTls }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading.

type FoundAll = { readonly [K in SettingName]: Found<ResolvedConfig[K]> }

/** Explicit options, checked; a bad one fails naming the option. */
const checkOptions = (options: CometOptions): Either.Either<Partial<FoundAll>, ConfigurationError> => {
  const out: Partial<Record<SettingName, Found<unknown>>> = {}
  for (const name of Object.keys(SETTINGS) as Array<SettingName>) {
    const s: Setting<unknown> = SETTINGS[name]
    const checked = s.explicit(options)
    if (checked === undefined) continue
    if (Either.isLeft(checked)) {
      const problem = checked.left
      return Either.left(
        typeof problem === "string"
          ? new ConfigurationError({ setting: s.option ?? name, reason: problem })
          : new ConfigurationError(problem)
      )
    }
    out[name] = { value: checked.right, from: s.option ?? name }
  }
  return Either.right(out as Partial<FoundAll>)
}

/** Every setting as one Config: explicit values first, then the provider, then defaults. */
const configWith = (explicit: Partial<FoundAll>): Config.Config<ResolvedConfig> => {
  const parts: Record<string, Config.Config<Found<unknown>>> = {}
  for (const name of Object.keys(SETTINGS) as Array<SettingName>) {
    const s: Setting<unknown> = SETTINGS[name]
    const given = explicit[name]
    parts[name] =
      given !== undefined
        ? Config.succeed(given)
        : Config.mapOrFail(s.config, (found) => {
            if (Option.isSome(found)) return Either.right(found.value)
            return "value" in s.fallback
              ? Either.right({ value: s.fallback.value, from: "default" })
              : Either.left(ConfigError.MissingData([s.option ?? name], s.fallback.missing))
          })
  }
  return Config.mapOrFail(Config.all(parts) as Config.Config<FoundAll>, finish)
}

/** Checks across settings, and the derived values. */
const finish = (found: FoundAll): Either.Either<ResolvedConfig, ConfigError.ConfigError> => {
  // A self-hosted "smart" key names its server: used when no URL was configured (as comet_ml).
  const key = parseKey(Redacted.value(found.apiKey.value))
  let apiKeyServer: string | null = null
  if (!("problem" in key) && key.baseUrl !== null) {
    const named = checkUrl(key.baseUrl)
    if (Either.isLeft(named)) return Either.left(ConfigError.InvalidData(["apiKey"], `the key's server: ${named.left}`))
    apiKeyServer = named.right.origin
  }
  const fromKey = found.baseUrl.from === "default" && apiKeyServer !== null
  const baseUrl = fromKey && apiKeyServer !== null ? apiKeyServer : found.baseUrl.value
  const baseUrlFrom = fromKey ? "apiKey" : found.baseUrl.from
  const allowInsecureHttp = found.allowInsecureHttp.value
  const url = new URL(baseUrl)
  if (url.protocol === "http:" && !isLoopback(url.hostname) && !allowInsecureHttp) {
    return Either.left(
      ConfigError.InvalidData(
        [baseUrlFrom],
        `${baseUrl} uses plain http to a host that is not loopback, which would send the API key unencrypted. Use https, or set allowInsecureHttp: true (COMET_TS_ALLOW_INSECURE_HTTP=1) if you accept that.`
      )
    )
  }
  return Either.right({
    apiKey: found.apiKey.value,
    apiKeySource: found.apiKey.from,
    baseUrl,
    restUrl: `${baseUrl}/api/rest/v2/`,
    timeout: found.timeout.value,
    downloadTimeout: found.downloadTimeout.value,
    maxConcurrency: found.maxConcurrency.value,
    maxRetries: found.maxRetries.value,
    rateLimit: found.rateLimit.value,
    allowInsecureHttp,
    workspace: found.workspace.value,
    projectName: found.projectName.value,
    apiKeyServer,
    proxy: found.proxy.value,
    tls: found.tls.value
  })
}

/**
 * Every setting as an Effect `Config`, read from the current ConfigProvider under comet_ml's
 * names (`COMET_API_KEY` as `Config.redacted`, `COMET_URL_OVERRIDE`, `COMET_TIMEOUT_API` in
 * seconds, …), with the defaults filled in. Fails with a `ConfigError` naming the setting.
 *
 * @since 0.1.0
 */
export const config: Config.Config<ResolvedConfig> = /* @__PURE__ */ configWith({})

const leaves = (e: ConfigError.ConfigError): Array<ConfigError.ConfigError> =>
  ConfigError.isAnd(e) || ConfigError.isOr(e) ? [...leaves(e.left), ...leaves(e.right)] : [e]

/**
 * A `ConfigError` as the typed `ConfigurationError`, naming the setting: an unusable value
 * before a missing one.
 *
 * @since 0.1.0
 */
export const toConfigurationError = (error: ConfigError.ConfigError): ConfigurationError => {
  const all = leaves(error)
  const first = all.find((e) => !ConfigError.isMissingData(e)) ?? all[0] ?? error
  const path = "path" in first ? first.path : []
  const message = "message" in first ? first.message : String(error)
  return new ConfigurationError({ setting: path.length === 0 ? "configuration" : path.join("_"), reason: message })
}

/**
 * A ConfigurationError with the API keys masked in it (the explicit one, the sources' one; any run of 8 of their characters too): a key given under another option
 * (`baseUrl: key`, `timeoutMs: key`) is quoted by that option's check before any layer holds
 * the key for scrubbing.
 */
const masked =
  (...apiKeys: ReadonlyArray<CometOptions["apiKey"]>) =>
  (e: ConfigurationError): ConfigurationError => {
    const keys = apiKeys
      .map((k) => (typeof k === "string" ? k : Redacted.isRedacted(k) ? Redacted.value(k) : ""))
      .filter((k) => k.length > 0)
    // the whole key in any form, and any run of 8 of its characters (a prefix, a cut excerpt)
    const scrub = (text: string) => Secrets.scrubPieces(text, keys)
    return keys.length === 0 ? e : new ConfigurationError({ setting: scrub(e.setting), reason: scrub(e.reason) })
  }

/** The API key the current provider holds (COMET_API_KEY, …), for masking; "" when none can be read. */
const sourcesKey: Effect.Effect<string> = Effect.suspend(() =>
  Effect.orElseSucceed(
    Effect.map(SETTINGS.apiKey.config, (found) => (Option.isSome(found) ? Redacted.value(found.value.value) : "")),
    () => ""
  )
)

/** Read the configuration from options whose types and names are checked (their values are checked here). */
const readChecked = (options: CometOptions): Effect.Effect<ResolvedConfig, ConfigurationError> =>
  Either.match(Either.mapLeft(checkOptions(options), masked(options.apiKey)), {
    onLeft: Effect.fail,
    onRight: (explicit) =>
      Effect.tap(
        Effect.catchAll(configWith(explicit), (e) =>
          // the key of the sources too: one set under another variable by mistake
          // (COMET_URL_OVERRIDE=<key>) is quoted by that variable's check before any layer holds it
          Effect.flatMap(sourcesKey, (key) => Effect.fail(masked(options.apiKey, key)(toConfigurationError(e))))
        ),
        (c) =>
          c.apiKeyServer !== null && c.apiKeyServer !== c.baseUrl
            ? // as comet_ml: the configured URL wins, with a warning
              Effect.logWarning(
                `comet-ts: the API key names the server ${c.apiKeyServer}, but the configured URL is ${c.baseUrl}; requests go to ${c.baseUrl}. Remove the URL setting or set it to the key's server.`
              )
            : Effect.void
      )
  })

/** Read the configuration from explicit options (checked once: types and names, then values). */
const readWith = (options: CometOptions): Effect.Effect<ResolvedConfig, ConfigurationError> =>
  Either.match(checkOptionTypes(options), { onLeft: Effect.fail, onRight: readChecked })

// ---------------------------------------------------------------------------------------------
// comet_ml's sources as a ConfigProvider.

interface NodeProcess {
  readonly env: Record<string, string | undefined>
  cwd(): string
  getBuiltinModule?: (id: string) => unknown
}

interface NodeFs {
  readFileSync(path: string, encoding: "utf8"): string
  statSync(path: string, options: { throwIfNoEntry: false }): { isDirectory(): boolean } | undefined
}
interface NodeOs {
  homedir(): string
}

const nodeProcess = (): NodeProcess | undefined => {
  const p: unknown = Reflect.get(globalThis, "process")
  return typeof p === "object" && p !== null && "env" in p ? (p as NodeProcess) : undefined
}

/**
 * The sources of the running process: `process.env` and the file system when running in Node
 * (found without a static import, so browsers and bundlers are unaffected); nothing otherwise.
 *
 * @since 0.1.0
 */
export const processSources = (): ConfigSources => {
  const proc = nodeProcess()
  const fs = proc?.getBuiltinModule?.("node:fs") as NodeFs | undefined
  const os = proc?.getBuiltinModule?.("node:os") as NodeOs | undefined
  let cwd: string | undefined
  let home: string | undefined
  try {
    cwd = proc?.cwd()
  } catch {
    cwd = undefined
  }
  try {
    home = os?.homedir()
  } catch {
    home = undefined
  }
  return {
    env: (name) => proc?.env[name],
    envNames: () => Object.keys(proc?.env ?? {}),
    readFile: (path) => {
      if (fs === undefined) return undefined
      try {
        const stat = fs.statSync(path, { throwIfNoEntry: false })
        if (stat === undefined || stat.isDirectory()) return undefined
        return fs.readFileSync(path, "utf8")
      } catch {
        return undefined
      }
    },
    isDirectory: (path) => {
      try {
        return fs?.statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false
      } catch {
        return false
      }
    },
    cwd,
    home
  }
}

/**
 * Sources built from a plain environment map and an in-memory file table (for tests and for
 * environments without a file system).
 *
 * @since 0.1.0
 */
export const staticSources = (
  env: Readonly<Record<string, string | undefined>>,
  files: Readonly<Record<string, string>> = {},
  dirs: { readonly cwd?: string | undefined; readonly home?: string | undefined } = {}
): ConfigSources => ({
  env: (name) => env[name],
  envNames: () => Object.keys(env),
  readFile: (path) => files[path],
  isDirectory: (path) => Object.keys(files).some((f) => f.startsWith(`${path.replace(/\/$/, "")}/`)),
  cwd: dirs.cwd,
  home: dirs.home
})

const join = (dir: string, file: string) => `${dir.replace(/[/\\]$/, "")}/${file}`

/**
 * The file `COMET_INI` / `COMET_CONFIG` names, as comet_ml reads it (everett's `ConfigIniEnv`:
 * trimmed, `~` expanded to the home directory, relative to the working directory); undefined
 * when unset or blank.
 */
const configPath = (raw: string | undefined, sources: ConfigSources): string | undefined => {
  const path = raw?.trim()
  if (path === undefined || path.length === 0) return undefined
  const home = /^~(?=$|[/\\])/.test(path) && sources.home !== undefined ? sources.home : undefined
  if (home !== undefined) return path.length === 1 ? home : join(home, path.slice(2))
  const absolute = path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:[/\\]/.test(path)
  return absolute || sources.cwd === undefined ? path : join(sources.cwd, path.replace(/^(?:\.[/\\])+/, ""))
}

interface Table {
  /** Where the values come from, for messages: "the environment" or a file path. */
  readonly source: string
  readonly get: (name: string) => string | undefined
  readonly names: () => Iterable<string>
}

/** comet_ml's sources, highest precedence first. */
const tablesOf = (sources: ConfigSources): ReadonlyArray<Table> => {
  const tables: Array<Table> = [{ source: "the environment", get: sources.env, names: sources.envNames ?? (() => []) }]
  const fromMap = (source: string, values: ReadonlyMap<string, string>): Table => ({
    source,
    get: (name) => values.get(name),
    names: () => values.keys()
  })
  if (sources.cwd !== undefined) {
    const path = join(sources.cwd, ".env")
    const text = sources.readFile(path)
    if (text !== undefined) tables.push(fromMap(path, parseDotEnv(text)))
  }
  // As comet_ml: the deprecated COMET_INI wins over COMET_CONFIG; both come from the process
  // environment only; a directory means its .comet.config.
  const files: Array<string> = []
  const configured = configPath(sources.env("COMET_INI") ?? sources.env("COMET_CONFIG"), sources)
  if (configured !== undefined) {
    files.push(sources.isDirectory(configured) ? join(configured, ".comet.config") : configured)
  }
  if (sources.cwd !== undefined) files.push(join(sources.cwd, ".comet.config"))
  files.push("/content/drive/MyDrive/.comet.config")
  if (sources.home !== undefined) files.push(join(sources.home, ".comet.config"))
  for (const file of files) {
    const text = sources.readFile(file)
    if (text !== undefined) tables.push(fromMap(file, parseIni(text)))
  }
  return tables
}

/**
 * comet_ml's configuration sources as a `ConfigProvider`, highest precedence first: the
 * environment, `./.env`, the INI file named by `COMET_INI` or `COMET_CONFIG` (a directory means
 * its `.comet.config`), `./.comet.config`, Colab's `/content/drive/MyDrive/.comet.config`,
 * `~/.comet.config`. An INI key `k` of section `[s]` is the name `S_K` (`[comet] api_key` is
 * `COMET_API_KEY`). An empty value counts as unset (but an empty `COMET_URL_OVERRIDE` means
 * comet_ml's default server, as in comet_ml); an unusable one is an error that names its file. Sources are read when the provider is first used. Path segments join with `_`, as in
 * `ConfigProvider.fromEnv`.
 *
 * @since 0.1.0
 */
export const provider = (sources?: ConfigSources): ConfigProvider.ConfigProvider => {
  let tables: ReadonlyArray<Table> | undefined
  const all = () => {
    if (tables === undefined) tables = tablesOf(sources ?? processSources())
    return tables
  }
  const lookup = (name: string): { readonly text: string; readonly source: string } | undefined => {
    for (const t of all()) {
      const text = t.get(name)
      if (text !== undefined && (text.trim().length > 0 || BLANK_IS_SET.has(name))) return { text, source: t.source }
    }
    return undefined
  }
  return ConfigProvider.fromFlat(
    ConfigProvider.makeFlat({
      patch: ConfigProviderPathPatch.empty,
      load: (path, primitive, split) =>
        Effect.suspend(() => {
          const name = path.join("_")
          const found = lookup(name)
          if (found === undefined) {
            return Effect.fail(
              ConfigError.MissingData(
                [...path],
                `Expected ${name} to be set in the environment, ./.env or a .comet.config file`
              )
            )
          }
          const texts = split ? found.text.split(/\s*,\s*/) : [found.text]
          return Effect.forEach(texts, (text) =>
            Effect.mapError(primitive.parse(split ? text.trim() : text), (e) =>
              ConfigError.isInvalidData(e)
                ? ConfigError.InvalidData([...path, ...e.path], `${e.message} (read from ${found.source})`)
                : ConfigError.prefixed(e, [...path])
            )
          )
        }),
      enumerateChildren: (path) =>
        Effect.sync(() => {
          const prefix = path.length === 0 ? "" : `${path.join("_")}_`
          const children = new Set<string>()
          for (const t of all()) {
            for (const name of t.names()) {
              if (name.startsWith(prefix) && name.length > prefix.length) {
                children.add(name.slice(prefix.length).split("_")[0] ?? "")
              }
            }
          }
          return HashSet.fromIterable(children)
        })
    })
  )
}

// ---------------------------------------------------------------------------------------------
// Effects and Layers.

/** The configuration, its key held for scrubbing while the layer's scope is open (Secrets.hold). */
const held = <E>(config: Effect.Effect<ResolvedConfig, E>): Effect.Effect<ResolvedConfig, E, Scope.Scope> =>
  Effect.tap(config, (c) => Secrets.hold(c.apiKey))

/**
 * Resolve the configuration from explicit options over comet_ml's sources (`options.sources`,
 * else the process's). Fails with a {@link ConfigurationError} that says what to set when the
 * key is missing or a value is unusable — before any request is sent.
 *
 * @since 0.1.0
 */
export const resolve = (options: CometOptions = {}): Effect.Effect<ResolvedConfig, ConfigurationError> =>
  Effect.suspend(() =>
    // (the options' runtime types first: `sources` is read before anything else)
    Either.match(checkOptionTypes(options), {
      onLeft: Effect.fail,
      onRight: (checked) => Effect.withConfigProvider(readChecked(checked), provider(checked.sources))
    })
  )

/**
 * `CometConfig` from explicit options over comet_ml's sources: what a machine set up for
 * comet_ml has (the environment, `./.env`, `.comet.config` files). This is what `new API()`
 * uses.
 *
 * @since 0.1.0
 */
export const layer = (options: CometOptions = {}): Layer.Layer<CometConfig, ConfigurationError> =>
  Layer.scoped(service, held(resolve(options)))

/**
 * `CometConfig` from explicit options over the current `ConfigProvider` — Effect's default
 * (the environment), or the one the program sets: `Layer.setConfigProvider(ConfigProvider.fromMap(…))`,
 * `fromJson`, your own, or {@link provider} for comet_ml's sources.
 *
 * @since 0.1.0
 */
export const layerConfigWith = (options: CometOptions): Layer.Layer<CometConfig, ConfigurationError> =>
  Layer.scoped(service, held(readWith(options)))

/**
 * `CometConfig` from the current `ConfigProvider` (see {@link layerConfigWith}).
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<CometConfig, ConfigurationError> = /* @__PURE__ */ layerConfigWith({})

/**
 * A Layer providing an already-resolved configuration as is.
 *
 * @since 0.1.0
 */
export const layerResolved = (config: ResolvedConfig): Layer.Layer<CometConfig> =>
  Layer.scoped(service, held(Effect.succeed(config)))
