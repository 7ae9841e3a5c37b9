/**
 * The `HttpClient` adapter: any `@effect/platform` client (a user's own, a mock Layer, the
 * emulator's in-process client, `FetchHttpClient`, platform-node's clients) behind the transport
 * interface. Request settings are provided once, in the runtime every request runs on: a
 * `FetchHttpClient.RequestInit` with `redirect: "manual"` (merged into the user's), and
 * `authorization` among the redacted header names. Every request asks for
 * `Accept-Encoding: identity`, since a client may or may not decode compressed bodies.
 *
 * It reaches the client through its service key and builds requests with the client's own
 * methods, so it evaluates none of platform's HttpClient and HttpClientRequest modules: their
 * top level (the client prototype, the response wrapper, cookies, Schema-based errors) is not
 * tree-shaken, and cost every browser bundle of the facade about 4 KiB gzip, though the client
 * a user passes brings its own copy.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import {
  abortable,
  codings,
  ignoredIdentity,
  ownTransport,
  RequestRefused,
  readerBody,
  toAbortSignal,
  type WireTransport
} from "./transport.js"

/**
 * `HttpClient.HttpClient` of `@effect/platform`, by its key: Effect finds a service by its tag's
 * key, so this tag reads and provides the very service platform's does (a test pins the key,
 * the same from platform 0.93 to 0.97).
 */
export const HttpClientService = Context.GenericTag<HttpClient.HttpClient>("@effect/platform/HttpClient")

/** The client's request was interrupted (the signal fired). */
export class Interrupted extends Error {
  override readonly name = "AbortError"
}

const unwrap = (e: unknown): unknown => {
  // a platform error carries the underlying cause; an empty body is the end, handled by the caller
  if (typeof e === "object" && e !== null && "_tag" in e && "cause" in e) {
    const cause: unknown = Reflect.get(e, "cause")
    return cause ?? e
  }
  return e
}

/**
 * A transport over the `HttpClient` in the current context. `manualRedirects` asks
 * `FetchHttpClient` not to follow redirects (any 3xx is refused above the transport anyway).
 */
export const httpClientTransport = (options: {
  readonly manualRedirects: boolean
}): Effect.Effect<WireTransport, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const client = yield* HttpClientService
    const userInit = yield* Effect.serviceOption(FetchHttpClient.RequestInit)
    const capture = Effect.runtime<never>().pipe(
      Effect.locallyWith(Headers.currentRedactedNames, (names) =>
        names.some((n) => typeof n === "string" && n.toLowerCase() === "authorization")
          ? names
          : [...names, "authorization"]
      )
    )
    const runtime = yield* options.manualRedirects
      ? Effect.provideService(capture, FetchHttpClient.RequestInit, {
          ...Option.getOrUndefined(userInit),
          redirect: "manual"
        })
      : capture
    const run = Runtime.runPromiseExit(runtime)

    const bodyOf = (response: { readonly stream: Stream.Stream<Uint8Array, HttpClientError.ResponseError> }) => {
      const reader = Stream.toReadableStreamRuntime(
        response.stream.pipe(
          Stream.catchAll((e) => (e.reason === "EmptyBody" ? Stream.empty : Stream.fail(unwrap(e))))
        ),
        runtime
      ).getReader()
      return readerBody(reader)
    }

    const transport: WireTransport = {
      name: "http-client",
      proxyFor: () => null,
      close: () => Promise.resolve(),
      send: async (request, signal) => {
        const headers = { ...request.headers, "accept-encoding": "identity" }
        const execute =
          request.method === "GET"
            ? client.get(request.url, { headers })
            : client.post(request.url, {
                headers,
                ...(request.body === undefined
                  ? {}
                  : { body: HttpBody.text(request.body, request.headers["content-type"] ?? "application/json") })
              })
        // No trace headers to a third party, and no span: a platform client's span, and its
        // failure, would carry the request (and so the raw Authorization header) into any tracer.
        // With Effect's tracer off, platform's clients take their untraced path (as with
        // `HttpClient.withTracerDisabledWhen(() => true)` and `withTracerPropagation(false)`).
        const exit = await run(Effect.withTracerEnabled(execute, false), { signal: toAbortSignal(signal) })
        if (Exit.isSuccess(exit)) {
          const response = exit.value
          return {
            status: response.status,
            headers: response.headers,
            body: abortable(bodyOf(response), signal),
            decodedUnchecked: codings(response.headers).length > 0,
            identityIgnored: ignoredIdentity({ ...request, encoding: "identity" }, response.headers)
          }
        }
        if (Cause.isInterruptedOnly(exit.cause)) throw new Interrupted("the request was interrupted")
        const error = Cause.squash(exit.cause)
        if (typeof error === "object" && error !== null && Reflect.get(error, "_tag") === "RequestError") {
          const reason: unknown = Reflect.get(error, "reason")
          if (reason === "InvalidUrl" || reason === "Encode") throw new RequestRefused(reason, unwrap(error))
        }
        throw unwrap(error)
      }
    }
    return ownTransport(transport)
  })
