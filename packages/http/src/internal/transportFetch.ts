/**
 * The `fetch` adapter: the transport of browsers, Deno, Bun and workers. Redirects are left to
 * CometHttp (`redirect: "manual"`), the body is read from the response's own reader. `fetch`
 * removes a Content-Encoding itself without checking that the compressed stream was complete,
 * so such bodies are marked `decodedUnchecked`; downloads ask for `Accept-Encoding: identity`
 * where the runtime lets a page set it (not in browsers, which negotiate it themselves).
 *
 * @internal
 */
import {
  abortable,
  codings,
  emptyBody,
  fromHeaders,
  ignoredIdentity,
  ownTransport,
  readerBody,
  toAbortSignal,
  type WireTransport
} from "./transport.js"

/** Options of the fetch adapter. */
export interface FetchOptions {
  /** The `fetch` to call. Default: the global one, looked up at each request. */
  readonly fetch?: typeof globalThis.fetch | undefined
  /** Extra `RequestInit` fields (credentials, mode, …); `method`, `headers`, `body`, `signal` and `redirect` are ours. */
  readonly init?: RequestInit | undefined
  /** Follow redirects inside fetch instead of refusing them (default false). */
  readonly followRedirects?: boolean | undefined
}

/** A transport over `fetch`. */
export const fetchTransport = (options: FetchOptions = {}): WireTransport => {
  const init = options.init ?? {}
  const redirect: RequestRedirect = options.followRedirects === true ? "follow" : "manual"
  return ownTransport({
    name: "fetch",
    proxyFor: () => null,
    close: () => Promise.resolve(),
    send: async (request, signal) => {
      const f = options.fetch ?? globalThis.fetch
      const headers: Record<string, string> =
        request.encoding === "identity" ? { ...request.headers, "accept-encoding": "identity" } : { ...request.headers }
      const response = await f(request.url, {
        ...init,
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: toAbortSignal(signal),
        redirect
      })
      const head = fromHeaders(response.headers)
      return {
        status: response.status,
        headers: head,
        body: response.body === null ? emptyBody : abortable(readerBody(response.body.getReader()), signal),
        decodedUnchecked: codings(head).some((c) => c === "gzip" || c === "x-gzip" || c === "deflate" || c === "br"),
        identityIgnored: ignoredIdentity(request, head)
      }
    }
  })
}
