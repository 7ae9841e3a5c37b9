/**
 * Faults below HTTP: a connection reset before any byte, and a body truncated mid-stream. On a
 * real Node server the socket itself is reset or closed; in process (a web `Request` →
 * `Response` handler with no socket) the response carries a marker header that the in-process
 * `fetch` turns into what undici produces for the same fault (a rejected fetch; a body stream
 * that errors after half the bytes).
 *
 * @internal
 */
import { IncomingMessage } from "node:http"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** The marker header of the in-process transport (never sent on a socket). */
export const FAULT_HEADER = "x-comet-emulator-fault"

const nodeSource = (request: HttpServerRequest.HttpServerRequest): IncomingMessage | null =>
  request.source instanceof IncomingMessage ? request.source : null

/** An error that marks a fault as intended (so it is not logged as a defect). */
export class InjectedFault extends Error {
  constructor(readonly kind: "reset" | "truncate") {
    super(`injected fault: ${kind}`)
  }
}

/** Drop the connection before anything of the response is sent. */
export const reset = (
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.sync(() => {
    const source = nodeSource(request)
    if (source !== null) {
      const socket = source.socket
      if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
      else socket.destroy()
      return HttpServerResponse.empty({ status: 599 })
    }
    return HttpServerResponse.empty({ status: 599, headers: { [FAULT_HEADER]: "reset" } })
  })

/** Collect a response body into bytes (for bodies held in memory). */
const bodyBytes = (response: HttpServerResponse.HttpServerResponse): Uint8Array | null => {
  const body = response.body
  if (body._tag === "Uint8Array") return body.body
  if (body._tag === "Empty") return new Uint8Array(0)
  return null
}

/**
 * Send the headers of the full response (with its full Content-Length), then half of the body,
 * then close the connection.
 */
export const truncate = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.sync(() => {
    const source = nodeSource(request)
    const bytes = bodyBytes(response)
    const headers = { ...response.headers }
    const contentType = headers["content-type"] ?? "application/octet-stream"
    if (source === null) {
      return HttpServerResponse.raw(
        bytes ?? (response.body._tag === "Stream" ? Stream.toReadableStream(response.body.stream) : null),
        {
          status: response.status,
          headers: { ...headers, [FAULT_HEADER]: "truncate" }
        }
      )
    }
    const socket = source.socket
    const closeAfterFlush = Stream.fromEffect(
      Effect.async<never, InjectedFault>((resume) => {
        socket.end(() => resume(Effect.fail(new InjectedFault("truncate"))))
      })
    )
    if (bytes !== null) {
      const half = bytes.subarray(0, Math.floor(bytes.length / 2))
      return HttpServerResponse.stream(Stream.concat(Stream.make(half), closeAfterFlush), {
        status: response.status,
        headers,
        contentType,
        contentLength: bytes.length
      })
    }
    if (response.body._tag === "Stream") {
      const length = response.body.contentLength ?? 0
      const limit = Math.floor(length / 2)
      return HttpServerResponse.stream(Stream.concat(takeBytes(response.body.stream, limit), closeAfterFlush), {
        status: response.status,
        headers,
        contentType,
        contentLength: length
      })
    }
    return response
  })

/** The first `limit` bytes of a byte stream. */
export const takeBytes = <E>(stream: Stream.Stream<Uint8Array, E>, limit: number): Stream.Stream<Uint8Array, E> =>
  stream.pipe(
    Stream.mapAccum(0, (sent, chunk) => {
      const room = Math.max(0, limit - sent)
      const piece = chunk.length <= room ? chunk : chunk.subarray(0, room)
      return [sent + piece.length, piece] as const
    }),
    Stream.takeWhile((c) => c.length > 0)
  )

/** Pause before every chunk but the first. */
const pace = <E>(stream: Stream.Stream<Uint8Array, E>, pauseMs: number): Stream.Stream<Uint8Array, E> =>
  stream.pipe(
    Stream.zipWithIndex,
    Stream.mapEffect(([c, i]) => (i === 0 ? Effect.succeed(c) : Effect.as(Effect.sleep(pauseMs), c)))
  )

/** A byte stream trickled out in `pieces` chunks with a pause between them. */
export const slowBody = (bytes: Uint8Array, pieces: number, pauseMs: number): Stream.Stream<Uint8Array> => {
  const size = Math.max(1, Math.ceil(bytes.length / pieces))
  const chunks: Array<Uint8Array> = []
  for (let o = 0; o < bytes.length; o += size) chunks.push(bytes.subarray(o, o + size))
  return pace(Stream.fromIterable(chunks), pauseMs)
}

/** Slow down a response's body (bytes or stream). */
export const slow = (
  response: HttpServerResponse.HttpServerResponse,
  pauseMs: number
): HttpServerResponse.HttpServerResponse => {
  const headers = { ...response.headers }
  const contentType = headers["content-type"] ?? "application/octet-stream"
  const bytes = bodyBytes(response)
  if (bytes !== null)
    return HttpServerResponse.stream(slowBody(bytes, 8, pauseMs), {
      status: response.status,
      headers,
      contentType,
      contentLength: bytes.length
    })
  if (response.body._tag === "Stream") {
    const body = response.body
    return HttpServerResponse.stream(pace(body.stream, pauseMs), {
      status: response.status,
      headers,
      contentType,
      ...(body.contentLength === undefined ? {} : { contentLength: body.contentLength })
    })
  }
  return response
}

/**
 * The in-process `fetch`: calls a web handler directly and applies the marker-header faults the
 * way undici reports them.
 */
export const makeFetch =
  (handler: (request: Request) => Promise<Response>): typeof globalThis.fetch =>
  async (input, init) => {
    const request = new Request(input, init)
    const response = await handler(request)
    const fault = response.headers.get(FAULT_HEADER)
    if (fault === null) return response
    const headers = new Headers(response.headers)
    headers.delete(FAULT_HEADER)
    if (fault === "reset") {
      await response.body?.cancel()
      const cause = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })
      throw new TypeError("fetch failed", { cause })
    }
    // truncate: pass half of the promised bytes, then fail the body stream like undici does.
    const full = Number(headers.get("content-length") ?? "0")
    const limit = Math.floor(full / 2)
    const reader = response.body?.getReader()
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (reader === undefined || sent >= limit) {
          await reader?.cancel()
          controller.error(new TypeError("terminated", { cause: new Error("other side closed") }))
          return
        }
        const { done, value } = await reader.read()
        if (done || value === undefined) {
          controller.error(new TypeError("terminated", { cause: new Error("other side closed") }))
          return
        }
        const room = limit - sent
        const piece = value.length <= room ? value : value.subarray(0, room)
        sent += piece.length
        if (piece.length > 0) controller.enqueue(piece)
      }
    })
    return new Response(body, { status: response.status, statusText: response.statusText, headers })
  }
