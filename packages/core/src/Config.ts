/**
 * Client configuration with the Python SDK's semantics, so a machine set up for `comet_ml`
 * works unchanged: explicit options first, then the environment (`COMET_API_KEY`,
 * `COMET_URL_OVERRIDE`, `COMET_TIMEOUT_API`, …), then `./.env`, then the INI config files
 * (`COMET_CONFIG`, `./.comet.config`, Colab's `/content/drive/MyDrive/.comet.config`,
 * `~/.comet.config`, section `[comet]`), in comet_ml's order. The API key is
 * `Redacted` from here to the request header.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ConfigurationError } from "./Errors.js"
import { parseDotEnv, parseIni } from "./internal/configFiles.js"
import { registerSecret } from "./internal/secrets.js"
import { parseKey } from "./internal/smartKey.js"
import * as Network from "./Network.js"

/**
 * Where configuration can be read from: environment variables and files. The default reads
 * `process.env` and the file system in Node; in a browser it sees neither.
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
}

/**
 * Options a user can give explicitly; everything left out comes from the environment and
 * config files.
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
  /** Requests in flight at most. Default 8. */
  readonly maxConcurrency?: number | undefined
  /** Retries of one request at most. Default: `COMET_HTTP_SESSION_RETRY_TOTAL`, or 8. */
  readonly maxRetries?: number | undefined
  /** A client-side rate limit: at most `limit` request starts per `intervalMs`. Off by default. */
  readonly rateLimit?: { readonly limit: number; readonly intervalMs: number } | undefined
  /** Allow sending the key over plain http to a host that is not loopback. Default false. */
  readonly allowInsecureHttp?: boolean | undefined
  /**
   * The proxy every request goes through (`http://[user:pass@]host:port`), or `false` for none;
   * default: `HTTPS_PROXY` / `HTTP_PROXY` (either case), with `NO_PROXY` (Node's transport).
   */
  readonly proxy?: string | false | undefined
  /** Default workspace (`COMET_WORKSPACE`). */
  readonly workspace?: string | undefined
  /** Default project (`COMET_PROJECT_NAME`). */
  readonly projectName?: string | undefined
  /** Read configuration from these sources instead of the process (tests, browsers). */
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
  /** Where the key came from (`option`, `env`, a file path): for diagnostics, never the key. */
  readonly apiKeySource: string
  /** Proxy, certificate authorities and certificate checks (see the `Network` module). */
  readonly network: Network.NetworkConfig
}

/**
 * The resolved configuration as an Effect service.
 *
 * @since 0.1.0
 */
export class CometConfig extends Context.Tag("@comet-ts/core/CometConfig")<CometConfig, ResolvedConfig>() {}

/** The Python SDK's default server. */
export const DEFAULT_URL = "https://www.comet.com/clientlib/"

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
  dirs: { readonly cwd?: string; readonly home?: string } = {}
): ConfigSources => ({
  env: (name) => env[name],
  readFile: (path) => files[path],
  isDirectory: (path) => Object.keys(files).some((f) => f.startsWith(`${path.replace(/\/$/, "")}/`)),
  cwd: dirs.cwd,
  home: dirs.home
})

const join = (dir: string, file: string) => `${dir.replace(/[/\\]$/, "")}/${file}`

interface Layered {
  readonly get: (name: string) => { readonly value: string; readonly source: string } | undefined
}

/** Read every layer below explicit options, in the Python SDK's order. */
const layers = (sources: ConfigSources): Layered => {
  const tables: Array<{ readonly source: string; readonly values: ReadonlyMap<string, string> }> = []
  const envTable = {
    source: "env",
    values: new Map<string, string>()
  }
  const dotenvPath = sources.cwd === undefined ? undefined : join(sources.cwd, ".env")
  const dotenvText = dotenvPath === undefined ? undefined : sources.readFile(dotenvPath)
  const dotenv = dotenvText === undefined ? new Map<string, string>() : parseDotEnv(dotenvText)
  const files: Array<string> = []
  // As comet_ml: the deprecated COMET_INI wins over COMET_CONFIG; both come from the process
  // environment only; a directory means its .comet.config.
  const configured = sources.env("COMET_INI") ?? sources.env("COMET_CONFIG")
  if (configured !== undefined && configured.length > 0) {
    files.push(sources.isDirectory(configured) ? join(configured, ".comet.config") : configured)
  }
  if (sources.cwd !== undefined) files.push(join(sources.cwd, ".comet.config"))
  files.push("/content/drive/MyDrive/.comet.config")
  if (sources.home !== undefined) files.push(join(sources.home, ".comet.config"))
  tables.push(envTable)
  if (dotenvPath !== undefined) tables.push({ source: dotenvPath, values: dotenv })
  for (const file of files) {
    const text = sources.readFile(file)
    if (text !== undefined) tables.push({ source: file, values: parseIni(text) })
  }
  return {
    get: (name) => {
      const fromEnv = sources.env(name)
      if (fromEnv !== undefined && fromEnv.length > 0) return { value: fromEnv, source: "env" }
      for (const t of tables) {
        const v = t.values.get(name)
        if (v !== undefined && v.length > 0) return { value: v, source: t.source }
      }
      return undefined
    }
  }
}

const hasSpaceOrControl = (text: string): boolean =>
  /\s/.test(text) || [...text].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch.codePointAt(0) === 0x7f)

const isLoopback = (hostname: string): boolean => {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase()
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h)
}

/**
 * Reduce a server URL to its root (`scheme://host[:port]`) as the Python SDK does with
 * `COMET_URL_OVERRIDE`, refusing URLs without an http(s) scheme.
 *
 * @since 0.1.0
 */
export const rootUrl = (url: string, setting = "baseUrl"): Effect.Effect<URL, ConfigurationError> => {
  const trimmed = url.trim()
  if (!/^https?:\/\//i.test(trimmed)) {
    return Effect.fail(
      new ConfigurationError({
        setting,
        reason: `${JSON.stringify(trimmed)} has no http:// or https:// scheme. Write the full URL, like https://www.comet.com or http://127.0.0.1:4820.`
      })
    )
  }
  return Effect.try({
    try: () => new URL(trimmed),
    catch: () =>
      new ConfigurationError({
        setting,
        reason: `${JSON.stringify(trimmed)} is not a valid URL. Write it like https://www.comet.com.`
      })
  }).pipe(
    Effect.filterOrFail(
      (u) => u.hostname.length > 0,
      () => new ConfigurationError({ setting, reason: `${JSON.stringify(trimmed)} has no host.` })
    )
  )
}

const positiveNumber = (
  setting: string,
  raw: string | number | undefined,
  fallback: number,
  { integer = false, allowZero = false }: { readonly integer?: boolean; readonly allowZero?: boolean } = {}
): Effect.Effect<number, ConfigurationError> => {
  if (raw === undefined) return Effect.succeed(fallback)
  const n = typeof raw === "number" ? raw : Number(raw.trim())
  const ok = Number.isFinite(n) && (allowZero ? n >= 0 : n > 0) && (!integer || Number.isInteger(n))
  return ok
    ? Effect.succeed(n)
    : Effect.fail(
        new ConfigurationError({
          setting,
          reason: `${JSON.stringify(String(raw))} is not ${allowZero ? "a non-negative" : "a positive"} ${integer ? "integer" : "number"}.`
        })
      )
}

const truthy = (raw: string | undefined): boolean | undefined =>
  raw === undefined ? undefined : ["1", "true", "yes", "on"].includes(raw.trim().toLowerCase())

/**
 * Resolve the configuration from explicit options, the environment and config files. Fails with
 * a {@link ConfigurationError} that says what to set when the key is missing or a value is
 * unusable — before any request is sent.
 *
 * @since 0.1.0
 */
export const resolve = (options: CometOptions = {}): Effect.Effect<ResolvedConfig, ConfigurationError> =>
  Effect.gen(function* () {
    const sources = options.sources ?? processSources()
    const l = layers(sources)
    const get = (name: string) => l.get(name)

    let apiKey: Redacted.Redacted<string>
    let apiKeySource: string
    if (options.apiKey !== undefined) {
      apiKey = Redacted.isRedacted(options.apiKey) ? options.apiKey : Redacted.make(options.apiKey)
      apiKeySource = "option"
    } else {
      const found = get("COMET_API_KEY") ?? get("COMET_REST_API_KEY")
      if (found === undefined) {
        return yield* Effect.fail(
          new ConfigurationError({
            setting: "apiKey",
            reason:
              "no Comet API key was found. Pass { apiKey }, set COMET_API_KEY, or add api_key under [comet] in ~/.comet.config (as for the Python SDK)."
          })
        )
      }
      apiKey = Redacted.make(found.value)
      apiKeySource = found.source
    }
    const keyText = Redacted.value(apiKey).trim()
    if (keyText.length === 0) {
      return yield* Effect.fail(
        new ConfigurationError({ setting: "apiKey", reason: `the API key from ${apiKeySource} is empty.` })
      )
    }
    if (hasSpaceOrControl(keyText)) {
      return yield* Effect.fail(
        new ConfigurationError({
          setting: "apiKey",
          reason: `the API key from ${apiKeySource} contains white space or control characters; Comet keys have none. Check for a stray space or line break.`
        })
      )
    }
    registerSecret(keyText)
    // A self-hosted "smart" key (<key>*<base64 JSON>) names its server; comet_ml sends it whole.
    const parsedKey = parseKey(keyText)
    if ("problem" in parsedKey) {
      return yield* Effect.fail(new ConfigurationError({ setting: "apiKey", reason: parsedKey.problem }))
    }
    registerSecret(parsedKey.short)
    if (parsedKey.header !== Redacted.value(apiKey)) apiKey = Redacted.make(parsedKey.header)

    const explicitUrl = options.baseUrl ?? get("COMET_URL_OVERRIDE")?.value
    const urlSetting =
      options.baseUrl !== undefined ? "baseUrl" : explicitUrl !== undefined ? "COMET_URL_OVERRIDE" : "apiKey"
    const url = yield* rootUrl(explicitUrl ?? parsedKey.baseUrl ?? DEFAULT_URL, urlSetting)
    if (explicitUrl !== undefined && parsedKey.baseUrl !== null) {
      const named = yield* Effect.either(rootUrl(parsedKey.baseUrl, "apiKey"))
      if (named._tag === "Right" && named.right.origin !== url.origin) {
        // as comet_ml: the configured URL wins, with a warning
        yield* Effect.logWarning(
          `comet-ts: the API key names the server ${named.right.origin}, but ${urlSetting} says ${url.origin}; requests go to ${url.origin}. Remove ${urlSetting} or set it to the key's server.`
        )
      }
    }
    const allowInsecureHttp = options.allowInsecureHttp ?? truthy(get("COMET_TS_ALLOW_INSECURE_HTTP")?.value) ?? false
    if (url.protocol === "http:" && !isLoopback(url.hostname) && !allowInsecureHttp) {
      return yield* Effect.fail(
        new ConfigurationError({
          setting: urlSetting,
          reason: `${url.origin} uses plain http to a host that is not loopback, which would send the API key unencrypted. Use https, or set allowInsecureHttp: true (COMET_TS_ALLOW_INSECURE_HTTP=1) if you accept that.`
        })
      )
    }
    const baseUrl = url.origin

    const timeoutMs = yield* positiveNumber(
      options.timeoutMs !== undefined ? "timeoutMs" : "COMET_TIMEOUT_API",
      options.timeoutMs ?? mapSeconds(get("COMET_TIMEOUT_API")?.value),
      10_000
    )
    const downloadTimeoutMs = yield* positiveNumber(
      options.downloadTimeoutMs !== undefined ? "downloadTimeoutMs" : "COMET_TIMEOUT_FILE_DOWNLOAD",
      options.downloadTimeoutMs ?? mapSeconds(get("COMET_TIMEOUT_FILE_DOWNLOAD")?.value),
      600_000
    )
    const maxConcurrency = yield* positiveNumber(
      "maxConcurrency",
      options.maxConcurrency ?? get("COMET_TS_MAX_CONCURRENCY")?.value,
      8,
      { integer: true }
    )
    const maxRetries = yield* positiveNumber(
      options.maxRetries !== undefined ? "maxRetries" : "COMET_HTTP_SESSION_RETRY_TOTAL",
      options.maxRetries ?? get("COMET_HTTP_SESSION_RETRY_TOTAL")?.value,
      8,
      { integer: true, allowZero: true }
    )
    let rateLimit: ResolvedConfig["rateLimit"] = null
    if (options.rateLimit !== undefined) {
      const limit = yield* positiveNumber("rateLimit.limit", options.rateLimit.limit, 1, { integer: true })
      const intervalMs = yield* positiveNumber("rateLimit.intervalMs", options.rateLimit.intervalMs, 1)
      rateLimit = { limit, interval: Duration.millis(intervalMs) }
    }
    const network = yield* Network.resolve({
      env: sources.env,
      get: (name) => get(name)?.value,
      readFile: sources.readFile,
      proxy: options.proxy
    })
    return {
      apiKey,
      apiKeySource,
      network,
      baseUrl,
      restUrl: `${baseUrl}/api/rest/v2/`,
      timeout: Duration.millis(timeoutMs),
      downloadTimeout: Duration.millis(downloadTimeoutMs),
      maxConcurrency,
      maxRetries,
      rateLimit,
      allowInsecureHttp,
      workspace: options.workspace ?? get("COMET_WORKSPACE")?.value ?? null,
      projectName: options.projectName ?? get("COMET_PROJECT_NAME")?.value ?? null
    } satisfies ResolvedConfig
  })

/** Seconds (as the Python SDK's settings are written) to milliseconds, keeping bad text for the error. */
const mapSeconds = (raw: string | undefined): string | number | undefined => {
  if (raw === undefined) return undefined
  const n = Number(raw.trim())
  return Number.isFinite(n) && raw.trim().length > 0 ? n * 1000 : raw
}

/**
 * A Layer providing {@link CometConfig} resolved from `options`, the environment and config
 * files.
 *
 * @since 0.1.0
 */
export const layer = (options: CometOptions = {}): Layer.Layer<CometConfig, ConfigurationError> =>
  Layer.effect(CometConfig, resolve(options))

/**
 * A Layer providing an already-resolved configuration as is.
 *
 * @since 0.1.0
 */
export const layerResolved = (config: ResolvedConfig): Layer.Layer<CometConfig> => Layer.succeed(CometConfig, config)
