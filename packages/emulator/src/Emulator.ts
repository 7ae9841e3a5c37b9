/**
 * The emulator: Comet's REST API v2 read side as an `HttpApp` over a {@link Dataset}, with API
 * keys mapped to visible workspaces, latency and deterministic fault injection, and server-side
 * request counting. Serve it on a real socket with {@link layerServer} (or {@link layerTest}
 * on a random port), or call it in process with {@link layerClient} (an `HttpClient` with no
 * socket at all).
 *
 * @since 0.1.0
 */
import { createServer } from "node:http"
import type { InvalidArgument } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import { evaluatePredicates } from "@comet-ts/query"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type { Dataset } from "./Dataset.js"
import * as Faults from "./Faults.js"
import { generateEither } from "./Generator.js"
import { makeCors, parseOrigins } from "./internal/cors.js"
import { StatsRecorder } from "./internal/recorder.js"
import {
  errorResponse,
  type HttpFailure,
  json,
  makeRouter,
  type PredicateEvaluator,
  RequestContext,
  type RequestInfo
} from "./internal/routes.js"
import { type Principal, Store } from "./internal/store.js"
import { makeFetch, reset, slow, truncate } from "./internal/transport.js"
import type { EmulatorStats } from "./Stats.js"

/**
 * What an extra API key may see: a user name, the workspaces (`"*"` for all), and the default
 * workspace `account-details` reports.
 *
 * @since 0.1.0
 */
export interface ApiKeyGrant {
  readonly userName: string
  readonly workspaces: ReadonlyArray<string> | "*"
  readonly defaultWorkspaceName?: string | null | undefined
}

/**
 * Options of the emulator. Everything is optional: the default is the `small` generated
 * dataset, seed 1, the key `local-dev-key`, no latency and no faults.
 *
 * @since 0.1.0
 */
export interface EmulatorOptions {
  /** The data to serve (default: `generate({ size: "small", seed })`). */
  readonly dataset?: Dataset | undefined
  /**
   * The main API key: replaces the key of the dataset's first user (default: the dataset's own
   * keys, or `local-dev-key` for a dataset without users, seeing every workspace).
   */
  readonly apiKey?: string | undefined
  /** More keys, each with the workspaces it sees. */
  readonly apiKeys?: Readonly<Record<string, ApiKeyGrant>> | undefined
  /** Latency of every request: milliseconds, or a spec `MS~JITTER`. */
  readonly latency?: number | string | undefined
  /** Faults: a spec like `429:0.2,503:0.1,reset:0.05@experiment/metadata,retry-after=2`, or a parsed config. */
  readonly faults?: string | Faults.FaultConfig | undefined
  /** The seed of the generated dataset and of every fault and jitter draw (default 1). */
  readonly seed?: number | undefined
  /** What `GET /clientlib/isAlive/ver` reports (default {@link DEFAULT_BACKEND_VERSION}). */
  readonly backendVersion?: string | undefined
  /** The evaluator behind `project/query` (default: `@comet-ts/query`'s `evaluatePredicates`). */
  readonly evaluatePredicates?: PredicateEvaluator | undefined
  /**
   * Origins of browser pages allowed to call the emulator (`"http://localhost:5173"`, or several;
   * each entry may be a comma list). Preflights from them are answered without the key and every
   * answer to them carries `Access-Control-Allow-Origin` with their origin (never `*`). Default:
   * none (a page on another origin cannot read the emulator).
   */
  readonly cors?: string | ReadonlyArray<string> | undefined
}

/** The default evaluator of `project/query`: `@comet-ts/query`'s shared rule table. */
const defaultEvaluator: PredicateEvaluator = evaluatePredicates

/**
 * The backend version reported by default: the lowest at which comet_ml 3.58.8 enables every
 * read path it has (`experiment/metrics/get-all` from 3.20.60, `APIExperiment.get_state` from
 * 3.7.91, `experiment/asset/get-by-name` from 4.3.385).
 *
 * @since 0.1.0
 */
export const DEFAULT_BACKEND_VERSION = "4.3.385"

/**
 * The key of a dataset without users.
 *
 * @since 0.1.0
 */
export const DEFAULT_API_KEY = "local-dev-key"

/**
 * A running emulator instance.
 *
 * @since 0.1.0
 */
export interface EmulatorShape {
  /** The HTTP app (serve it with `HttpServer.serve`, or call it through {@link fetch}). */
  readonly app: HttpApp.Default
  /** The same app as a `fetch` function with no socket (faults behave as undici reports them). */
  readonly fetch: typeof globalThis.fetch
  /** What the server saw. */
  readonly stats: EmulatorStats
  /** The data served. */
  readonly dataset: Dataset
  /** The API keys that are accepted. */
  readonly apiKeys: ReadonlyArray<string>
  /** The fault config in force. */
  readonly faults: Faults.FaultConfig
  /** The seed in force. */
  readonly seed: number
  /** The browser origins allowed to call it (normalised as browsers send `Origin`). */
  readonly corsOrigins: ReadonlyArray<string>
}

/**
 * The emulator instance, as an Effect service.
 *
 * @since 0.1.0
 */
export class Emulator extends Context.Tag("@comet-ts/emulator/Emulator")<Emulator, EmulatorShape>() {}

export type { PredicateEvaluator } from "./internal/routes.js"

const BEARER = /^bearer\s+/i

const apiKeyOf = (request: HttpServerRequest.HttpServerRequest): string | undefined => {
  const raw = request.headers.authorization ?? request.headers["comet-sdk-api"]
  if (raw === undefined) return undefined
  const key = raw.trim().replace(BEARER, "")
  return key.length === 0 ? undefined : key
}

/**
 * The endpoint name of a path, as faults and stats name it: the part after `/api/rest/v2/`, or
 * the path without its leading `/` (`clientlib/isAlive/ver`).
 *
 * @since 0.1.0
 */
export const endpointOf = (pathname: string): string => {
  const p = pathname.replace(/\/+$/, "")
  if (p.startsWith("/api/rest/v2/")) return p.slice("/api/rest/v2/".length)
  return p.replace(/^\/+/, "")
}

const VERSION_ENDPOINT = "clientlib/isAlive/ver"

const resolveKeys = (dataset: Dataset, options: EmulatorOptions): Array<{ apiKey: string; principal: Principal }> => {
  const all = new Set(dataset.workspaces.map((w) => w.name))
  const keys: Array<{ apiKey: string; principal: Principal }> = []
  if (dataset.users.length === 0) {
    keys.push({
      apiKey: options.apiKey ?? DEFAULT_API_KEY,
      principal: {
        userName: "local-dev",
        workspaces: all,
        defaultWorkspaceName: dataset.workspaces[0]?.name ?? null
      }
    })
  } else {
    dataset.users.forEach((u, i) => {
      keys.push({
        apiKey: i === 0 && options.apiKey !== undefined ? options.apiKey : u.apiKey,
        principal: {
          userName: u.userName,
          workspaces: new Set(u.workspaces),
          defaultWorkspaceName: u.defaultWorkspaceName ?? u.workspaces[0] ?? null
        }
      })
    })
  }
  for (const [apiKey, grant] of Object.entries(options.apiKeys ?? {})) {
    const workspaces = grant.workspaces === "*" ? all : new Set(grant.workspaces)
    keys.push({
      apiKey,
      principal: {
        userName: grant.userName,
        workspaces,
        defaultWorkspaceName: grant.defaultWorkspaceName ?? [...workspaces][0] ?? null
      }
    })
  }
  return keys
}

/**
 * Resolve the fault and latency options into one config. Options from JavaScript are checked:
 * a name that is no emulator option (`fault`, `latncy`), an inherited or symbol one, an object
 * that is no options object, and a value of the wrong type (`latency: -5`, a `faults` object
 * that is no {@link Faults.FaultConfig}) are the `InvalidArgument` naming it.
 *
 * @since 0.1.0
 */
export const faultConfig = (options: EmulatorOptions): Either.Either<Faults.FaultConfig, InvalidArgument> =>
  Either.flatMap(Inputs.argumentOf(options, OPTION_NAMES, "faultConfig", "options", true), faultValues)

const nonNegative = (description: string) =>
  Schema.Number.pipe(Schema.filter((n) => Number.isFinite(n) && n >= 0)).annotations({ description })

const scope = Schema.NullOr(Schema.String).annotations({ description: "an endpoint pattern or null" })

/** The runtime type of a {@link Faults.FaultConfig} given as an object. */
const FaultConfigType = Schema.Struct({
  rules: Schema.Array(
    Schema.Struct({
      kind: Schema.Literal(...Faults.FAULT_KINDS).annotations({ description: Faults.FAULT_KINDS.join(", ") }),
      probability: Schema.Number.pipe(Schema.filter((n) => n >= 0 && n <= 1)).annotations({
        description: "a probability (0 to 1)"
      }),
      scope
    })
  ),
  latency: Schema.Array(
    Schema.Struct({ fixedMs: nonNegative("milliseconds ≥ 0"), jitterMs: nonNegative("milliseconds ≥ 0"), scope })
  ),
  retryAfterSeconds: nonNegative("seconds ≥ 0"),
  retryAfterOn503: Schema.Boolean,
  slowChunkMs: nonNegative("milliseconds ≥ 0")
}).annotations({ description: "a fault config ({ rules, latency, retryAfterSeconds, retryAfterOn503, slowChunkMs })" })

/** The runtime types of the fault and latency options. */
const FaultOptionTypes = Schema.Struct({
  faults: Inputs.optionalOrNull(
    Inputs.refined(
      (u): u is string | Faults.FaultConfig => typeof u === "string" || (typeof u === "object" && u !== null),
      "a fault spec (a string) or a fault config"
    )
  ),
  latency: Inputs.optionalOrNull(
    Schema.Union(nonNegative("milliseconds ≥ 0"), Schema.String).annotations({
      description: "milliseconds ≥ 0, or a spec MS~JITTER"
    })
  )
})

/** {@link faultConfig} of options whose names are checked: their values checked, then resolved. */
const faultValues = (given: EmulatorOptions): Either.Either<Faults.FaultConfig, InvalidArgument> =>
  Either.gen(function* () {
    const options = yield* Either.mapLeft(Inputs.check(FaultOptionTypes, given), (p) =>
      Inputs.argumentError(p, "options")
    )
    const base: Faults.FaultConfig =
      options.faults === undefined
        ? Faults.none
        : typeof options.faults === "string"
          ? yield* Faults.parseFaults(options.faults)
          : // a config given as an object: checked member by member, so the error names the member
            yield* Either.mapLeft(Inputs.check(FaultConfigType, options.faults), (p) =>
              Inputs.argumentError(p, "options.faults")
            )
    if (options.latency === undefined) return base
    const latency =
      typeof options.latency === "number"
        ? { fixedMs: options.latency, jitterMs: 0, scope: null }
        : yield* Faults.parseLatency(options.latency)
    return { ...base, latency: [latency, ...base.latency] }
  })

/**
 * Build an emulator: index the dataset, resolve keys and faults, and assemble the app.
 * Deterministic under `seed`. The app runs with the services of the fiber that built it (so
 * under `it.effect` its latency and slow bodies follow the TestClock).
 *
 * @since 0.1.0
 */
export const make = (options: EmulatorOptions = {}): Effect.Effect<EmulatorShape, InvalidArgument> =>
  makeChecked(options, OPTION_NAMES, "the emulator")

/** The names of {@link EmulatorOptions}, complete by type (an unknown one is refused). */
const OPTION_NAMES: ReadonlyArray<string> = Object.keys({
  dataset: true,
  apiKey: true,
  apiKeys: true,
  latency: true,
  faults: true,
  seed: true,
  backendVersion: true,
  evaluatePredicates: true,
  cors: true
} satisfies Record<keyof EmulatorOptions, true>)

/** The names of {@link ServerOptions}. */
const SERVER_OPTION_NAMES: ReadonlyArray<string> = [
  ...OPTION_NAMES,
  ...Object.keys({ host: true, port: true } satisfies Record<Exclude<keyof ServerOptions, keyof EmulatorOptions>, true>)
]

/**
 * {@link make}, after the options' names: a misspelt (`prot`, `latncy`), unknown, inherited or
 * symbol name, names that cannot be read and options that are no options object (a Map) are an
 * InvalidArgument naming them, not dropped.
 */
const makeChecked = (
  options: EmulatorOptions,
  names: ReadonlyArray<string>,
  where: string
): Effect.Effect<EmulatorShape, InvalidArgument> =>
  Effect.suspend(() => {
    // read once: a getter that throws is the InvalidArgument naming it, never a defect
    const read = Inputs.argumentOf(options, names, where, "options")
    return Either.isLeft(read) ? Effect.fail(read.left) : build(read.right)
  })

const build = (options: EmulatorOptions): Effect.Effect<EmulatorShape, InvalidArgument> =>
  Effect.gen(function* () {
    const seed = options.seed ?? 1
    const faults = yield* faultValues(options)
    const corsOrigins = yield* parseOrigins(options.cors)
    const cors = makeCors(corsOrigins)
    const dataset = options.dataset ?? (yield* generateEither({ size: "small", seed, apiKey: options.apiKey }))
    const keys = resolveKeys(dataset, options)
    const store = new Store(dataset, keys)
    const recorder = new StatsRecorder()
    const { router, methodOf } = makeRouter(store, options.evaluatePredicates ?? defaultEvaluator)
    const version = options.backendVersion ?? DEFAULT_BACKEND_VERSION

    const route = (request: HttpServerRequest.HttpServerRequest, url: URL, endpoint: string) =>
      Effect.gen(function* () {
        if (endpoint === VERSION_ENDPOINT) {
          if (request.method !== "GET" && request.method !== "HEAD") return errorResponse(405, "Method not allowed")
          return json({ version })
        }
        const apiKey = apiKeyOf(request)
        const principal = apiKey === undefined ? undefined : store.principal(apiKey)
        if (principal === undefined)
          return errorResponse(
            401,
            apiKey === undefined ? "Missing API key (the Authorization header)" : "Invalid API key",
            90212
          )
        const host = request.headers.host ?? new URL(request.originalUrl, "http://localhost").host
        const info: RequestInfo = { principal, url, origin: `http://${host}` }
        return yield* Effect.provideService(router, RequestContext, info)
      }).pipe(
        Effect.catchTags({
          HttpFailure: (e: HttpFailure) => Effect.succeed(errorResponse(e.status, e.msg, e.sdkErrorCode)),
          RouteNotFound: () => {
            const allowed = methodOf(url.pathname)
            return Effect.succeed(
              allowed === undefined
                ? errorResponse(404, `No endpoint ${request.method} ${url.pathname}`)
                : HttpServerResponse.setHeader(
                    errorResponse(405, `${url.pathname} takes ${allowed}, not ${request.method}`),
                    "allow",
                    allowed
                  )
            )
          }
        }),
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.failCause(cause)
            : Effect.as(
                Effect.logError("emulator: handler failed", cause),
                errorResponse(500, "Internal error of the emulator")
              )
        )
      )

    const app: HttpApp.Default = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      // A preflight is the browser's question, not the client's request: answered at once,
      // without the key, latency, faults or counting.
      const preflight = cors.preflight(request)
      if (preflight !== null) return preflight
      const url = new URL(request.url, "http://localhost")
      const endpoint = endpointOf(url.pathname)
      const n = recorder.begin(endpoint)
      let status = 0
      let fault: Faults.FaultKind | null = null
      return yield* Effect.gen(function* () {
        const ms = Faults.latencyFor(faults, seed, endpoint, n)
        if (ms > 0) yield* Effect.sleep(ms)
        fault = Faults.decide(faults, seed, endpoint, n)
        switch (fault) {
          case "reset":
            return yield* reset(request)
          case "429":
            return errorResponse(429, "Too many requests: rate limit exceeded").pipe(
              HttpServerResponse.setHeader("retry-after", String(faults.retryAfterSeconds))
            )
          case "500":
            return errorResponse(500, "Internal server error")
          case "503": {
            const r = errorResponse(503, "Service unavailable")
            return faults.retryAfterOn503
              ? HttpServerResponse.setHeader(r, "retry-after", String(faults.retryAfterSeconds))
              : r
          }
        }
        const response = yield* route(request, url, endpoint)
        status = response.status
        if (fault === "truncate") return yield* truncate(request, response)
        if (fault === "slow") return slow(response, faults.slowChunkMs)
        return response
      }).pipe(
        // @effect/platform runs apps uninterruptibly; a client that goes away (a reset, an
        // abort) must end the work for it, latency included, or it stays "in flight" forever.
        Effect.interruptible,
        Effect.map((r) => cors.decorate(request, r)),
        Effect.tap((r) =>
          Effect.sync(() => {
            if (status === 0 && fault !== "reset") status = r.status
          })
        ),
        Effect.ensuring(Effect.sync(() => recorder.end(request.method, endpoint, status, fault)))
      )
    })

    const runtime = yield* Effect.runtime<never>()
    const webHandler = HttpApp.toWebHandlerRuntime(runtime)(app)
    return {
      app,
      fetch: makeFetch(webHandler),
      stats: recorder,
      dataset,
      apiKeys: keys.map((k) => k.apiKey),
      faults,
      seed,
      corsOrigins
    }
  })

/**
 * The emulator as a Layer (no server: use {@link EmulatorShape.app} or
 * {@link EmulatorShape.fetch}).
 *
 * @since 0.1.0
 */
export const layer = (options: EmulatorOptions = {}): Layer.Layer<Emulator, InvalidArgument> =>
  Layer.effect(Emulator, make(options))

/**
 * Options of {@link layerServer}: where to listen (default `127.0.0.1:4820`).
 *
 * @since 0.1.0
 */
export interface ServerOptions extends EmulatorOptions {
  readonly host?: string | undefined
  readonly port?: number | undefined
}

/**
 * The emulator on a real Node HTTP server (loopback by default). Provides the emulator and the
 * `HttpServer` (whose `address` tells the port when `port` is 0).
 *
 * @since 0.1.0
 */
export const layerServer = (
  options: ServerOptions = {}
): Layer.Layer<Emulator | HttpServer.HttpServer, InvalidArgument | HttpServerError.ServeError> =>
  Layer.unwrapEffect(
    Effect.suspend(() => {
      // read once (host and port too): what the emulator is built from is where it listens
      const read = Inputs.argumentOf(options, SERVER_OPTION_NAMES, "the emulator's server", "options")
      if (Either.isLeft(read)) return Effect.fail(read.left)
      const given: ServerOptions = read.right
      return Effect.map(build(given), (emulator) =>
        HttpServer.serve(emulator.app).pipe(
          Layer.provideMerge(
            NodeHttpServer.layer(() => createServer(), { host: given.host ?? "127.0.0.1", port: given.port ?? 4820 })
          ),
          Layer.merge(Layer.succeed(Emulator, emulator))
        )
      )
    })
  )

/**
 * The emulator on a real server on a random loopback port, with an `HttpClient` whose requests
 * go to that server (relative URLs are prefixed with its address).
 *
 * @since 0.1.0
 */
export const layerTest = (
  options: EmulatorOptions = {}
): Layer.Layer<
  Emulator | HttpServer.HttpServer | HttpClient.HttpClient,
  InvalidArgument | HttpServerError.ServeError
> =>
  Layer.unwrapEffect(
    Effect.map(make(options), (emulator) =>
      HttpServer.serve(emulator.app).pipe(
        Layer.provideMerge(NodeHttpServer.layerTest),
        Layer.merge(Layer.succeed(Emulator, emulator))
      )
    )
  )

/**
 * The emulator in process: an `HttpClient` whose every request is answered by the emulator app
 * directly, with no socket (any host in the URL is accepted). Injected resets reject the request
 * and truncations cut the body, as undici reports them.
 *
 * @since 0.1.0
 */
export const layerClient = (
  options: EmulatorOptions = {}
): Layer.Layer<Emulator | HttpClient.HttpClient, InvalidArgument> =>
  Layer.unwrapEffect(
    Effect.map(make(options), (emulator) =>
      FetchHttpClient.layer.pipe(
        Layer.provide(Layer.succeed(FetchHttpClient.Fetch, emulator.fetch)),
        Layer.merge(Layer.succeed(Emulator, emulator))
      )
    )
  )
