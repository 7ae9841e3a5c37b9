/**
 * What a failed attempt is (`AttemptFailure`: the error, the status, any Retry-After), what the
 * attempts of one client share, and how each kind of failure is worded: no answer, a timeout
 * naming its knob, a body cut short or too large, a decode failure — every message scrubbed of
 * the key and naming the proxy a network failure went through.
 *
 * @internal
 */
import { type CometError, DecodeError, InvalidArgument, TransportError } from "@comet-ts/core"
import * as Network from "@comet-ts/core/Network"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import { type BodyError, describe } from "./body.js"
import { networkReason, proxyRefusedWith } from "./network.js"
import type { Permits } from "./permits.js"
import type { Resolved } from "./settings.js"
import type { StatsRecorder } from "./stats.js"
import type { Kind, Target } from "./target.js"
import type { Timers } from "./timers.js"
import {
  type Aborter,
  type Cancel,
  ProxyFailure,
  RequestRefused,
  UnsupportedEncoding,
  type WireTransport
} from "./transport.js"

/** A failed attempt, with what the retry policy needs beyond the error. */
export class AttemptFailure {
  constructor(
    readonly error: CometError,
    readonly status: number | null,
    readonly retryAfterMillis: number | null
  ) {}
}

/** What the attempts of one client instance share. */
export interface AttemptContext {
  readonly settings: Resolved
  /** The raw API key: sent in `Authorization`, and scrubbed from every message. */
  readonly apiKey: string
  /** Replace the API key in a text by `<redacted>`. */
  readonly scrub: (s: string) => string
  readonly transport: WireTransport
  readonly timers: Timers
  readonly stats: StatsRecorder
  readonly permits: Permits
  /** Pass the rate gate (`rateLimit.ts`); fails when its wait would pass the request's limits. */
  readonly takeToken: Effect.Effect<void, AttemptFailure>
  /** Have a request's controller aborted if the client closes, until the returned function is called (`closing.ts`). */
  readonly track: (controller: Aborter) => () => void
}

/** The reason an attempt's controller was aborted by us for a timeout. */
export const TIMEOUT: unique symbol = Symbol.for("@comet-ts/http/timeout")
/** The reason an attempt's controller was aborted because its fiber was interrupted. */
export const INTERRUPTED: unique symbol = Symbol.for("@comet-ts/http/interrupted")

/** A resumed download's Range: from byte `from`, on the representation `validator` names (If-Range). */
export interface Range {
  readonly from: number
  readonly validator: string | null
}

/** The failure builders of one client instance (its key scrubbed, its proxy named). */
export const makeFailures = (ctx: AttemptContext) => {
  const { settings, scrub, transport } = ctx

  const describeError = (e: unknown): string => scrub(describe(e))

  /** The proxy a request to `url` goes through, without its credentials; null when none. */
  const proxyOf = (url: string): string | null => {
    const proxy = transport.proxyFor(url)
    if (proxy === null) return null
    try {
      const u = new URL(proxy)
      return `${u.protocol}//${u.host}`
    } catch {
      return "(the configured proxy)"
    }
  }

  /** The setting the proxy of a request to `url` came from (`HTTPS_PROXY`, `proxy`, …), when known. */
  const settingOf = (url: string): string | null => transport.proxySettingFor?.(url) ?? null

  /** The proxy part of a network failure's message. */
  const via = (url: string): string => {
    const proxy = viaOf(url)
    return proxy === undefined ? "" : ` through the proxy ${proxy}`
  }

  /** A request that got no response, as the failure the retry policy sees. */
  const sendFailure = (
    t: Target,
    url: string,
    attempt: number,
    e: unknown,
    signal: Cancel,
    timeoutMillis: number
  ): AttemptFailure => {
    if (e instanceof AttemptFailure) return e
    // a proxy that accepts and then says nothing: the timeout names it
    if (signal.reason === TIMEOUT) return timeoutFailure(t, attempt, `no answer${scrub(via(url))}`, timeoutMillis)
    if (e instanceof RequestRefused) {
      return new AttemptFailure(
        e.reason === "InvalidUrl"
          ? new InvalidArgument({ argument: "url", value: scrub(url), reason: describeError(e.cause) })
          : new InvalidArgument({ argument: "body", value: t.endpoint, reason: describeError(e.cause) }),
        null,
        null
      )
    }
    if (e instanceof UnsupportedEncoding) return decodeFailure(t, e.message, "")
    // what a proxy did, as the Node transport saw it on the proxy's connection
    if (e instanceof ProxyFailure) return proxyFailure(t, attempt, e.detail, e.setting)
    const proxy = proxyOf(url)
    const setting = settingOf(url)
    const refused = proxy === null ? null : proxyRefusedWith(describe(e))
    if (proxy !== null && refused !== null) {
      return proxyFailure(t, attempt, Network.proxyRefusal(proxy, refused, setting), setting)
    }
    const reason = networkReason(e)
    return new AttemptFailure(
      new TransportError({
        endpoint: t.endpoint,
        reason,
        detail: `${describeError(e)}${reason === "aborted" ? "" : scrub(via(url))}`,
        attempts: attempt,
        ...(reason === "network" && proxy !== null && setting !== null ? { setting } : {})
      }),
      null,
      null
    )
  }

  /** A network failure of the proxy: its detail names the proxy; `setting` is the proxy's setting. */
  const proxyFailure = (t: Target, attempt: number, detail: string, setting: string | null) =>
    new AttemptFailure(
      new TransportError({
        endpoint: t.endpoint,
        reason: "network",
        detail: scrub(detail),
        attempts: attempt,
        ...(setting === null ? {} : { setting })
      }),
      null,
      null
    )

  /**
   * A non-success answer to a request a proxy forwarded (plain http, in absolute-form) that the
   * proxy says is its own — a `Proxy-Status` with an `error` (RFC 9209), or Squid's
   * `X-Squid-Error` on its error pages — as the proxy's refusal; null for any other answer
   * (whose it is cannot be told: the server's, noted as having come through the proxy, {@link viaOf}).
   */
  const proxyOwnAnswer = (
    t: Target,
    attempt: number,
    status: number,
    headers: Readonly<Record<string, string>>
  ): AttemptFailure | null => {
    const proxy = proxyOf(t.url)
    if (proxy === null) return null
    const proxyError = /(?:^|;)\s*error=(?:"([^"]*)"|([^;,\s]+))/.exec(headers["proxy-status"] ?? "")
    const squid = headers["x-squid-error"]
    const said =
      proxyError !== null
        ? `Proxy-Status error=${proxyError[1] ?? proxyError[2]}`
        : squid !== undefined
          ? `X-Squid-Error: ${squid}`
          : null
    if (said === null) return null
    const setting = settingOf(t.url)
    return proxyFailure(t, attempt, `${Network.proxyRefusal(proxy, status, setting)} (${said.slice(0, 120)})`, setting)
  }

  /** The proxy a request to `url` goes through, with its setting (`http://host:port (from HTTP_PROXY)`); undefined when none. */
  const viaOf = (url: string): string | undefined => {
    const proxy = proxyOf(url)
    if (proxy === null) return undefined
    const setting = settingOf(url)
    return `${proxy}${setting === null ? "" : ` (from ${Network.proxyKnob(setting)})`}`
  }

  const decodeFailure = (t: Target, detail: string, excerpt: string) =>
    new AttemptFailure(
      new DecodeError({ endpoint: t.endpoint, path: "", detail: scrub(detail), excerpt: excerpt || "(not shown)" }),
      200,
      null
    )

  /** The current timeout setting's name, for messages: downloads and JSON calls differ. */
  const knob = (t: Target): string =>
    t.kind === "bytes"
      ? "downloadTimeoutMs, or COMET_TIMEOUT_FILE_DOWNLOAD in seconds"
      : "timeoutMs, or COMET_TIMEOUT_API in seconds"

  const timeoutFailure = (t: Target, attempt: number, what: string, millis: number) =>
    new AttemptFailure(
      new TransportError({
        endpoint: t.endpoint,
        reason: "timeout",
        detail: `${what} within ${formatMillis(millis)} (raise ${knob(t)})`,
        attempts: attempt
      }),
      null,
      null
    )

  const limitOf = (kind: Kind): number => (kind === "json" ? settings.maxJsonBytes : settings.maxBodyBytes)
  const limitName = (kind: Kind): string => (kind === "json" ? "maxJsonBytes" : "maxBodyBytes")

  const bodyFailure = (
    t: Target,
    attempt: number,
    e: BodyError,
    signal: Cancel,
    what: string,
    timeoutMillis: number
  ) =>
    signal.reason === TIMEOUT
      ? timeoutFailure(t, attempt, what, timeoutMillis)
      : e.reason === "corrupt"
        ? decodeFailure(t, e.detail, "")
        : new AttemptFailure(
            new TransportError({ endpoint: t.endpoint, reason: e.reason, detail: scrub(e.detail), attempts: attempt }),
            200,
            null
          )

  return {
    describeError,
    via,
    sendFailure,
    proxyOwnAnswer,
    viaOf,
    decodeFailure,
    knob,
    timeoutFailure,
    limitOf,
    limitName,
    bodyFailure
  }
}

/** A Duration in whole ms (Infinity as the longest a timer can wait). */
export const millisOf = (d: Duration.Duration): number => {
  const v = d.value
  switch (v._tag) {
    case "Millis":
      return v.millis
    case "Nanos":
      return Number(v.nanos / 1_000_000n)
    case "Infinity":
      return 2 ** 31 - 1
  }
}

/** A duration in ms as people write it: `10s`, `1m 30s`, `250ms`. */
export const formatMillis = (ms: number): string => {
  if (ms < 1000) return `${ms}ms`
  // tenths of a second: a timeoutMs of 1500 is "1.5s", not a rounded "2s" the user never set
  const tenths = Math.round(ms / 100)
  if (tenths < 600) return `${tenths / 10}s`
  const m = Math.floor(tenths / 600)
  const rest = tenths % 600
  return rest === 0 ? `${m}m` : `${m}m ${rest / 10}s`
}
