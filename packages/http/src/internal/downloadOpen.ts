/**
 * The opening of a download at an offset: one attempt (a permit kept when it opens, a token,
 * the request with `Range` past the bytes delivered, the status, the check that a resumed
 * answer is the same version of the asset, the first new bytes), and the failures a download
 * reads as truncated or corrupt.
 *
 * @internal
 */
import { DecodeError, TransportError } from "@comet-ts/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { type AttemptContext, AttemptFailure, type Attempts, INTERRUPTED, TIMEOUT } from "./attempt.js"
import { checkableLength, corruptCoding } from "./body.js"
import type { Target } from "./target.js"
import { Aborter, type WireResponse } from "./transport.js"

/** One open response of a download, and what it holds. */
export interface Open {
  readonly response: WireResponse
  readonly controller: Aborter
  /** The first chunk past the bytes already delivered (null: the body ended there). */
  readonly first: Uint8Array | null
  /** The bytes this response must reach (the whole body's length), or null. */
  readonly total: number | null
  /** Bytes of this response read so far (skipped ones included). */
  read: number
  /** The offset this response's bytes start at (0 for a 200). */
  readonly start: number
  /** Release the permit and count the attempt's end (once). */
  readonly release: () => void
  readonly attempt: number
}

/** What the first answer said about the resource, to keep a resume on the same bytes. */
export interface Identity {
  readonly validator: string | null
  readonly total: number | null
  /** The first answer's ETag (weak or strong) and Last-Modified, as sent. */
  readonly etag: string | null
  readonly lastModified: string | null
}

/** An opaque ETag without its weak marker (`W/"x"` and `"x"` name the same version, weakly). */
const opaqueTag = (etag: string): string => etag.trim().replace(/^W\//, "")

/**
 * What shows that a resumed answer is of another version of the asset than the first: an ETag,
 * or a Last-Modified, that both answers carry and that differ (null: nothing shows it).
 */
const versionChange = (identity: Identity, headers: Readonly<Record<string, string>>): string | null => {
  const etag = headers.etag
  if (identity.etag !== null && etag !== undefined && opaqueTag(etag) !== opaqueTag(identity.etag)) {
    return `its ETag was ${identity.etag}, the server now says ${etag}`
  }
  const lastModified = headers["last-modified"]
  if (identity.lastModified !== null && lastModified !== undefined && lastModified !== identity.lastModified) {
    return `it was last modified ${identity.lastModified}, the server now says ${lastModified}`
  }
  return null
}

const contentRange = (header: string | undefined): { start: number; total: number | null } | null => {
  if (header === undefined) return null
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header)
  if (m === null) return null
  return { start: Number(m[1]), total: m[3] === "*" ? null : Number(m[3]) }
}

/** The opening operations of one instance's downloads. */
export const makeOpening = (ctx: AttemptContext, attempts: Attempts) => {
  const { scrub, permits, takeToken, stats, timers, track } = ctx
  const { send, checkStatus, refuseUnchecked, timeoutFailure, describeError, attemptSpan } = attempts

  const truncated = (t: Target, attempt: number, detail: string) =>
    new AttemptFailure(
      new TransportError({ endpoint: t.endpoint, reason: "truncated", detail: scrub(detail), attempts: attempt }),
      200,
      null
    )

  /** A read that failed on a body not in its Content-Encoding's coding: a DecodeError (not retried); else null. */
  const corrupt = (t: Target, e: unknown, headers: Readonly<Record<string, string>>): AttemptFailure | null => {
    const detail = corruptCoding(e, headers, describeError)
    return detail === null
      ? null
      : new AttemptFailure(
          new DecodeError({ endpoint: t.endpoint, path: "", detail: scrub(detail), excerpt: "(not shown)" }),
          200,
          null
        )
  }

  /**
   * One opening attempt at `offset` (bytes already delivered): a permit (kept when it opens),
   * a token, the request (with a Range past the offset when allowed), the status, and the
   * first new bytes, all within `millis`.
   */
  const openAttempt = (
    t: Target,
    attempt: number,
    millis: number,
    offset: number,
    identity: Identity | null,
    ranges: { useRange: boolean }
  ): Effect.Effect<Open, AttemptFailure> =>
    attemptSpan<Open>(
      t,
      attempt
    )(
      Effect.suspend(() => {
        // the permit is the attempt's from the moment its request starts (it then releases it
        // itself); before that, a failure or an interruption gives it back here
        let owned = false
        const opening = Effect.async<Open, AttemptFailure>((resume) => {
          const controller = new Aborter()
          const signal = controller.signal
          // aborted if the client closes, until the download ends (its permit released)
          const untrack = track(controller)
          const start = timers.now()
          stats.attemptStart(t.endpoint)
          let released = false
          const release = () => {
            if (released) return
            released = true
            untrack()
            stats.attemptEnd(t.endpoint, timers.now() - start)
            permits.releaseNow()
          }
          const timer = timers.after(millis, () => controller.abort(TIMEOUT))
          let settled = false
          const run = async (): Promise<Open> => {
            const range =
              ranges.useRange && offset > 0 ? { from: offset, validator: identity?.validator ?? null } : undefined
            const response = await send(t, attempt, signal, millis, range)
            const failing = checkStatus(t, response, attempt, range !== undefined)
            if (failing !== null) await failing
            refuseUnchecked(t, response)
            let skip = offset
            let begin = 0
            let total = checkableLength(response)
            if (response.status === 206) {
              const cr = contentRange(response.headers["content-range"])
              if (cr === null || cr.start > offset) {
                response.body.cancel()
                ranges.useRange = false
                throw truncated(
                  t,
                  attempt,
                  `the server answered a resume from byte ${offset} with an unusable Content-Range (${response.headers["content-range"] ?? "none"})`
                )
              }
              begin = cr.start
              skip = offset - cr.start
              total = cr.total
            }
            const change =
              identity === null
                ? null
                : identity.total !== null && total !== null && total !== identity.total
                  ? `its length was ${identity.total} bytes, the server now says ${total}`
                  : versionChange(identity, response.headers)
            if (change !== null) {
              response.body.cancel()
              throw new AttemptFailure(
                new DecodeError({
                  endpoint: t.endpoint,
                  path: "",
                  detail: `the asset changed while it was downloaded: ${change}; the ${offset} bytes already delivered cannot be completed`,
                  excerpt: "(not shown)"
                }),
                200,
                null
              )
            }
            let read = 0
            while (true) {
              let chunk: Uint8Array | null
              try {
                chunk = await response.body.read()
              } catch (e) {
                response.body.cancel()
                if (signal.reason === TIMEOUT) {
                  throw timeoutFailure(
                    t,
                    attempt,
                    offset === 0 ? "no first byte" : `no byte past the ${offset} already delivered`,
                    millis
                  )
                }
                throw (
                  corrupt(t, e, response.headers) ??
                  truncated(
                    t,
                    attempt,
                    `the body broke off after ${begin + read}${total === null ? "" : ` of ${total}`} bytes, before any byte past the ${offset} already delivered (${describeError(e)})`
                  )
                )
              }
              if (chunk === null) {
                const have = begin + read
                if (total !== null && have < total) {
                  throw truncated(t, attempt, `the body ended after ${have} of the ${total} bytes announced`)
                }
                if (have < offset) {
                  throw truncated(
                    t,
                    attempt,
                    `the body read again ended after ${have} bytes, before the ${offset} already delivered`
                  )
                }
                return { response, controller, first: null, total, read, start: begin, release, attempt }
              }
              read += chunk.length
              stats.received(t.endpoint, chunk.length)
              if (skip >= chunk.length) {
                skip -= chunk.length
                continue
              }
              const first = skip > 0 ? chunk.subarray(skip) : chunk
              return { response, controller, first, total, read, start: begin, release, attempt }
            }
          }
          run().then(
            (open) => {
              timer.cancel()
              settled = true
              resume(Effect.succeed(open))
            },
            (e: unknown) => {
              timer.cancel()
              settled = true
              release()
              resume(
                Effect.fail(
                  e instanceof AttemptFailure ? e : truncated(t, attempt, `the download failed (${describeError(e)})`)
                )
              )
            }
          )
          return Effect.sync(() => {
            timer.cancel()
            if (!settled) {
              controller.abort(INTERRUPTED)
              release()
            }
          })
        })
        return Effect.uninterruptibleMask((restore) =>
          Effect.zipRight(
            restore(permits.take),
            restore(
              Effect.zipRight(
                takeToken,
                Effect.suspend(() => {
                  owned = true
                  return opening
                })
              )
            ).pipe(
              Effect.onExit((exit) =>
                owned ? Effect.void : Exit.isInterrupted(exit) ? permits.releaseCancelled : permits.release
              )
            )
          )
        )
      })
    )

  return { openAttempt, truncated, corrupt }
}
