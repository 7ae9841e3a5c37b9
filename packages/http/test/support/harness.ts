/**
 * Test harness: a fake Comet server behind a mock `HttpClient` (or a fake `fetch` behind the real
 * `FetchHttpClient`), a CometHttp instance wired to it, and capture of every span and log line
 * so each test can check that the API key never leaks.
 */

import { Readable } from "node:stream"
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib"
import type { ConfigurationError } from "@comet-ts/core"
import { FetchHttpClient, HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { assert } from "@effect/vitest"
import {
  Cause,
  Clock,
  Context,
  Effect,
  Exit,
  Layer,
  Logger,
  LogLevel,
  Option,
  Runtime,
  type Scope,
  Tracer
} from "effect"
import { CometHttp, type CometHttpOptions, type CometHttpShape } from "../../src/CometHttp.js"
import { fetchTransport } from "../../src/internal/transportFetch.js"
import { type DispatcherLike, undiciTransport } from "../../src/internal/transportUndici.js"
import { RequestStats, type RequestStatsShape } from "../../src/RequestStats.js"
import { Transport } from "../../src/Transport.js"

/** The API key of every test. It must reach the fake server and nothing else. */
export const KEY = "tk_9f8e7d6c5b4a3210SECRET"
export const BASE = "https://comet.test"

/** What the fake server saw of one request. */
export interface Incoming {
  /** 1-based arrival number. */
  readonly n: number
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly signal: AbortSignal
  /** TestClock time of arrival, in ms. */
  readonly at: number
}

/** A handler answers with a Response, or fails with the Error a transport would raise. */
export type Handler = (req: Incoming) => Effect.Effect<Response, Error>

const decoder = new TextDecoder()

/**
 * A fake server. Measures requests in flight as the server sees them: from arrival until the
 * response body has been read to its end (or cancelled), or the request was aborted.
 */
export class FakeServer {
  readonly requests: Array<Incoming> = []
  inFlight = 0
  maxInFlight = 0
  aborts = 0

  constructor(readonly handler: Handler) {}

  /** Requests whose handler has finished (answered, failed or was interrupted). */
  readonly answered: Array<number> = []
  private handlerDone(req: Incoming): void {
    this.answered.push(req.n)
  }

  get count(): number {
    return this.requests.length
  }

  /** Track a body so the request counts as in flight until the body is done. */
  private track(response: Response, done: () => void): Response {
    if (response.body === null) {
      done()
      return response
    }
    const reader = response.body.getReader()
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const { done: finished, value } = await reader.read()
          if (finished) {
            done()
            controller.close()
          } else controller.enqueue(value)
        } catch (e) {
          done()
          controller.error(e)
        }
      },
      cancel: async (reason) => {
        done()
        await reader.cancel(reason)
      }
    })
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
  }

  private arrive(
    method: string,
    url: URL,
    headers: Readonly<Record<string, string>>,
    body: string,
    signal: AbortSignal
  ): Effect.Effect<{ readonly req: Incoming; readonly done: () => void }> {
    return Effect.map(Clock.currentTimeMillis, (at) => {
      const req: Incoming = { n: this.requests.length + 1, method, url, headers, body, signal, at }
      this.requests.push(req)
      this.inFlight++
      if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight
      let finished = false
      // removed when the request completes: a signal shared by many requests (a client's
      // lifetime signal) would collect one listener per request (MaxListenersExceededWarning)
      const onAbort = () => {
        this.aborts++
        done()
      }
      const done = () => {
        if (finished) return
        finished = true
        this.inFlight--
        signal.removeEventListener("abort", onAbort)
      }
      signal.addEventListener("abort", onAbort, { once: true })
      return { req, done }
    })
  }

  /** A mock `HttpClient` (platform's `HttpClient.make` + `HttpClientResponse.fromWeb`). */
  readonly client: HttpClient.HttpClient = HttpClient.make((request, url, signal) =>
    Effect.gen(this, function* () {
      const body = request.body._tag === "Uint8Array" ? decoder.decode(request.body.body) : ""
      const { req, done } = yield* this.arrive(request.method, url, { ...request.headers }, body, signal)
      const response = yield* this.handler(req).pipe(
        Effect.onExit(() => Effect.sync(() => this.handlerDone(req))),
        Effect.onError(() => Effect.sync(done)),
        Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Transport", cause }))
      )
      return HttpClientResponse.fromWeb(request, this.track(response, done))
    })
  )

  /** A fake `fetch` for the real `FetchHttpClient`; runs the handler in `runtimeContext`. */
  fetch(run: <A, E>(effect: Effect.Effect<A, E>) => Promise<A>, inits: Array<RequestInit>): typeof globalThis.fetch {
    return (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input.toString())
      const signal = init?.signal ?? new AbortController().signal
      inits.push(init ?? {})
      const headers: Record<string, string> = {}
      new Headers(init?.headers).forEach((v, k) => {
        headers[k] = v
      })
      const body =
        typeof init?.body === "string" ? init.body : init?.body instanceof Uint8Array ? decoder.decode(init.body) : ""
      return new Promise<Response>((resolve, reject) => {
        if (signal.aborted) return reject(new DOMException("aborted", "AbortError"))
        const onAbort = () => reject(new DOMException("The operation was aborted", "AbortError"))
        signal.addEventListener("abort", onAbort, { once: true })
        const settled = () => signal.removeEventListener("abort", onAbort)
        run(
          Effect.flatMap(this.arrive(init?.method ?? "GET", url, headers, body, signal), ({ req, done }) =>
            this.handler(req).pipe(
              Effect.onExit(() => Effect.sync(() => this.handlerDone(req))),
              Effect.onError(() => Effect.sync(done)),
              Effect.map((response) => this.track(response, done))
            )
          )
        )
          .finally(settled)
          .then(resolve, reject)
      })
    }
  }
}

/** A JSON response. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

/** A text response. */
export const text = (body: string, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(body, { status, headers: { "content-type": "text/plain", ...headers } })

/** A response whose body is a stream of the given chunks, then an error or an end. */
export const chunked = (
  chunks: ReadonlyArray<Uint8Array>,
  end: "close" | "error" | "hang",
  init: ResponseInit = {}
): Response => {
  let i = 0
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks[i++]
        if (next !== undefined) return controller.enqueue(next)
        if (end === "close") return controller.close()
        if (end === "error") return controller.error(new TypeError("terminated: other side closed"))
        return new Promise<void>(() => {})
      }
    }),
    init
  )
}

export const bytes = (s: string): Uint8Array<ArrayBuffer> => new Uint8Array(new TextEncoder().encode(s))

/** Everything observed while a scenario ran. */
export interface Observed {
  readonly spans: Array<Tracer.Span>
  readonly logs: Array<string>
}

export interface Env {
  readonly http: CometHttpShape
  readonly stats: RequestStatsShape
  readonly server: FakeServer
  readonly observed: Observed
}

const captureTracer = (base: Tracer.Tracer, spans: Array<Tracer.Span>): Tracer.Tracer =>
  Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const span = base.span(name, parent, context, links, startTime, kind, options)
      spans.push(span)
      return span
    },
    context: (f, fiber) => base.context(f, fiber)
  })

const captureLogger = (logs: Array<string>) =>
  Logger.make(({ annotations, cause, logLevel, message }) => {
    const ann = [...annotations].map(([k, v]) => `${k}=${String(v)}`).join(" ")
    logs.push(`${logLevel.label} ${JSON.stringify(message)} ${ann} ${Cause.isEmpty(cause) ? "" : Cause.pretty(cause)}`)
  })

/** Every text a value can show: String, message, JSON and its own fields. */
export const renderings = (u: unknown): Array<string> => {
  const out: Array<string> = [String(u)]
  if (u instanceof Error) out.push(u.message, u.stack ?? "")
  try {
    out.push(JSON.stringify(u) ?? "")
  } catch {
    out.push("(unserialisable)")
  }
  if (typeof u === "object" && u !== null) {
    for (const k of Object.keys(u)) {
      const v: unknown = Reflect.get(u, k)
      out.push(typeof v === "string" ? v : String(v))
    }
  }
  return out
}

/** Fail the test if the key shows up anywhere in `u`. */
export const assertNoKey = (u: unknown, where: string): void => {
  for (const r of renderings(u)) {
    assert.isFalse(r.includes(KEY), `the API key leaked into ${where}: ${r.slice(0, 300)}`)
  }
}

const spanTexts = (span: Tracer.Span): Array<string> => {
  const out = [span.name]
  for (const [k, v] of span.attributes) out.push(`${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
  if (span.status._tag === "Ended" && Exit.isFailure(span.status.exit)) {
    const cause = span.status.exit.cause
    out.push(Cause.pretty(cause))
    // every error a request failed with, in every rendering (message, JSON, fields)
    for (const failure of Cause.failures(cause)) out.push(...renderings(failure))
  }
  return out
}

/**
 * The transports the behaviour tests run over: the `HttpClient` adapter (a mock client), the
 * `fetch` adapter (a fake `fetch`), and the undici adapter (a fake `request()` giving Node
 * Readables, the body encoded as a server would send it when the Response says
 * Content-Encoding). The same fake server answers all three.
 */
export const ADAPTERS = ["http-client", "fetch", "undici"] as const
export type Adapter = (typeof ADAPTERS)[number]

/** What a server sends for a body the test wrote decoded (as fetch would give it) under `encoding`. */
const encodeAs = (encoding: string | null, bytes: Uint8Array): Uint8Array => {
  switch (encoding?.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return gzipSync(bytes)
    case "deflate":
      return deflateSync(bytes)
    case "br":
      return brotliCompressSync(bytes)
    default:
      return bytes
  }
}

/**
 * An undici dispatcher over the fake server's `fetch`: it drives the adapter's handler as
 * undici does (`onConnect` with an abort function, `onHeaders` with raw headers, `onData` until
 * it returns false and `resume` is called, `onComplete`, or `onError` once), the body encoded as
 * a server would send it when the Response says Content-Encoding.
 */
const fakeDispatcher = (fetch: typeof globalThis.fetch): DispatcherLike => ({
  dispatch: (options, handler) => {
    const controller = new AbortController()
    let over = false
    const error = (e: unknown) => {
      if (over) return
      over = true
      handler.onError(e)
    }
    handler.onConnect((reason) => {
      controller.abort(reason)
      error(reason ?? new Error("aborted"))
    })
    const run = async () => {
      const response = await fetch(`${options.origin}${options.path}`, {
        method: options.method,
        headers: options.headers,
        ...(options.body === null ? {} : { body: options.body }),
        signal: controller.signal
      })
      if (over) return
      const raw: Array<string> = []
      response.headers.forEach((v, k) => {
        raw.push(k, v)
      })
      const encoding = response.headers.get("content-encoding")
      let chunks: AsyncIterable<Uint8Array>
      if (response.body === null) chunks = Readable.from([])
      else if (encoding === null || encoding.trim().toLowerCase() === "identity") {
        chunks = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>)
      } else chunks = Readable.from([encodeAs(encoding, new Uint8Array(await response.arrayBuffer()))])
      // a resume may come before the pause is waited on
      let wake: (() => void) | null = null
      let resumed = false
      const resume = () => {
        const w = wake
        wake = null
        if (w === null) resumed = true
        else w()
      }
      let paused = !handler.onHeaders(response.status, raw, resume)
      for await (const chunk of chunks) {
        if (over) return
        if (paused && !resumed) await new Promise<void>((resolve) => (wake = resolve))
        resumed = false
        if (over) return
        paused = !handler.onData(chunk)
      }
      if (over) return
      over = true
      handler.onComplete([])
    }
    run().catch(error)
    return true
  },
  destroy: async () => {}
})

/** The CometHttp layer of a harness over `adapter`, talking to `server`. */
const layerOver = (
  adapter: Adapter,
  server: FakeServer,
  run: <X, Y>(effect: Effect.Effect<X, Y>) => Promise<X>,
  inits: Array<RequestInit>,
  options: CometHttpOptions
): Layer.Layer<CometHttp | RequestStats, ConfigurationError> => {
  switch (adapter) {
    case "http-client":
      return CometHttp.layer(options).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, server.client)))
    case "fetch":
      return CometHttp.layerTransport(options).pipe(
        Layer.provide(Layer.succeed(Transport, fetchTransport({ fetch: server.fetch(run, inits) })))
      )
    case "undici":
      return CometHttp.layerTransport(options).pipe(
        Layer.provide(
          Layer.effect(
            Transport,
            Effect.promise(() =>
              undiciTransport(
                {
                  connections: 8,
                  httpProxy: null,
                  httpsProxy: null,
                  noProxy: "",
                  extraCa: null,
                  rejectUnauthorized: true
                },
                { dispatcher: fakeDispatcher(server.fetch(run, inits)) }
              )
            )
          )
        )
      )
  }
}

/** {@link withHttp} over a given adapter. */
export const withHttpOver =
  (adapter: Adapter) =>
  <A, E>(
    handler: Handler,
    options: Partial<CometHttpOptions>,
    scenario: (env: Env) => Effect.Effect<A, E, Scope.Scope>
  ): Effect.Effect<A, E | ConfigurationError> =>
    Effect.gen(function* () {
      const server = new FakeServer(handler)
      const observed: Observed = { spans: [], logs: [] }
      const base = yield* Effect.tracer
      const runtime = yield* Effect.runtime<never>()
      const run = <X, Y>(effect: Effect.Effect<X, Y>) => Runtime.runPromise(runtime)(effect)
      const layer = layerOver(adapter, server, run, [], { apiKey: KEY, baseUrl: BASE, ...options })
      return yield* observe(layer, server, observed, base, {}, scenario)
    })

/**
 * Build `layer`, run the scenario with every span and log line captured, then check that the
 * key leaked nowhere (see {@link checkNoLeak}).
 */
const observe = <A, E, X extends object>(
  layer: Layer.Layer<CometHttp | RequestStats, ConfigurationError>,
  server: FakeServer,
  observed: Observed,
  base: Tracer.Tracer,
  extra: X,
  scenario: (env: Env & X) => Effect.Effect<A, E, Scope.Scope>
): Effect.Effect<A, E | ConfigurationError> =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(
      Effect.scoped(
        Effect.gen(function* () {
          const ctx = yield* Layer.build(layer)
          const env = {
            http: Context.get(ctx, CometHttp),
            stats: Context.get(ctx, RequestStats),
            server,
            observed,
            ...extra
          }
          return yield* scenario(env)
        })
      ).pipe(
        Effect.withTracer(captureTracer(base, observed.spans)),
        Effect.provide(Logger.add(captureLogger(observed.logs))),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
    )
    checkNoLeak(observed, server, exit)
    return yield* exit
  })

/**
 * Run a scenario against a fresh CometHttp instance talking to `handler`, with span and log
 * capture. Afterwards the key must appear in no span (name, attribute or failure), no log line
 * and not in the result, while the fake server must have received it (so the check is not
 * vacuous) whenever an authenticated request was made.
 */
export const withHttp: <A, E>(
  handler: Handler,
  options: Partial<CometHttpOptions>,
  scenario: (env: Env) => Effect.Effect<A, E, Scope.Scope>
) => Effect.Effect<A, E | ConfigurationError> = (handler, options, scenario) =>
  withHttpOver("http-client")(handler, options, scenario)

/** The key check shared by both harnesses. */
export const checkNoLeak = (observed: Observed, server: FakeServer, exit: Exit.Exit<unknown, unknown>): void => {
  for (const span of observed.spans) for (const t of spanTexts(span)) assertNoKey(t, `span ${span.name}`)
  for (const line of observed.logs) assertNoKey(line, "a log line")
  if (Exit.isFailure(exit)) {
    assertNoKey(Cause.pretty(exit.cause), "the failure")
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) assertNoKey(failure.value, "the error")
  }
  for (const req of server.requests) {
    assertNoKey(req.url.toString(), "a request URL")
    if (!req.url.pathname.startsWith("/clientlib/")) assert.strictEqual(req.headers.authorization, KEY)
  }
}

/**
 * The same harness over the real `FetchHttpClient` with a fake `fetch` (exercising the platform's
 * fetch adapter and its AbortSignal). `inits` collects the RequestInit of every fetch call.
 */
export const withFetch = <A, E>(
  handler: Handler,
  options: Partial<CometHttpOptions>,
  scenario: (env: Env & { readonly inits: Array<RequestInit> }) => Effect.Effect<A, E, Scope.Scope>,
  requestInit?: RequestInit
): Effect.Effect<A, E | ConfigurationError> =>
  Effect.gen(function* () {
    const server = new FakeServer(handler)
    const inits: Array<RequestInit> = []
    const observed: Observed = { spans: [], logs: [] }
    const base = yield* Effect.tracer
    const runtime = yield* Effect.runtime<never>()
    const run = <X, Y>(effect: Effect.Effect<X, Y>) => Runtime.runPromise(runtime)(effect)
    const userInit = requestInit === undefined ? Layer.empty : Layer.succeed(FetchHttpClient.RequestInit, requestInit)
    const fetchLayer = FetchHttpClient.layer.pipe(
      Layer.provide(Layer.succeed(FetchHttpClient.Fetch, server.fetch(run, inits))),
      Layer.provide(userInit)
    )
    const layer = CometHttp.layer({ apiKey: KEY, baseUrl: BASE, ...options }).pipe(
      Layer.provide(fetchLayer),
      Layer.provide(userInit)
    )
    return yield* observe(layer, server, observed, base, { inits }, scenario)
  })

/** Let forked fibers and promise callbacks run (no time passes). */
export const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) {
    yield* Effect.yieldNow()
    yield* Effect.promise(() => new Promise<void>((r) => setImmediate(r)))
  }
})
