/**
 * Fault injection, deterministic under a seed: the fault (or none) for the `n`-th request to an
 * endpoint is a pure function of `(seed, endpoint, n)`, so the same run sees the same faults
 * however requests to other endpoints interleave.
 *
 * Spec (`--faults`): a comma list of items.
 *
 * | item | meaning |
 * |---|---|
 * | `KIND:P` | inject KIND with probability P (0–1) on every REST endpoint |
 * | `KIND:P@ENDPOINT` | only on ENDPOINT (`experiment/metadata`; `*` matches any characters, e.g. `experiment/*`) |
 * | `retry-after=S` | the `Retry-After` seconds sent with 429 (default 1) and with 503 (only when given) |
 * | `slow-ms=MS` | the pause between the 8 chunks of a slow body (default 250) |
 * | `latency=MS[~JITTER][@ENDPOINT]` | added latency: MS plus a uniform 0–JITTER ms |
 *
 * KIND is `429` (with `Retry-After`), `500`, `503`, `reset` (the connection is dropped before
 * any byte of the response), `truncate` (the headers promise the full length, half the body is
 * sent, then the connection closes) or `slow` (the body is trickled out in 8 chunks).
 *
 * @since 0.1.0
 */
import { InvalidArgument } from "@comet-ts/core"
import * as Either from "effect/Either"
import { hashString, uniformAt } from "./internal/rng.js"

/**
 * The kinds of fault the emulator can inject.
 *
 * @since 0.1.0
 */
export type FaultKind = "429" | "500" | "503" | "reset" | "truncate" | "slow"

/**
 * Every fault kind.
 *
 * @since 0.1.0
 */
export const FAULT_KINDS: ReadonlyArray<FaultKind> = ["429", "500", "503", "reset", "truncate", "slow"]

/**
 * One fault rule: a kind, its probability and the endpoints it applies to (`null`: every REST
 * endpoint).
 *
 * @since 0.1.0
 */
export interface FaultRule {
  readonly kind: FaultKind
  readonly probability: number
  readonly scope: string | null
}

/**
 * Added latency: `fixedMs` plus a uniform `0..jitterMs`, on the endpoints of `scope` (`null`:
 * every endpoint).
 *
 * @since 0.1.0
 */
export interface LatencyRule {
  readonly fixedMs: number
  readonly jitterMs: number
  readonly scope: string | null
}

/**
 * A parsed fault spec.
 *
 * @since 0.1.0
 */
export interface FaultConfig {
  readonly rules: ReadonlyArray<FaultRule>
  readonly latency: ReadonlyArray<LatencyRule>
  /** Seconds of `Retry-After` on 429 (and on 503 when {@link retryAfterOn503}). */
  readonly retryAfterSeconds: number
  readonly retryAfterOn503: boolean
  /** Pause between the chunks of a slow body. */
  readonly slowChunkMs: number
}

/**
 * No faults, no latency.
 *
 * @since 0.1.0
 */
export const none: FaultConfig = {
  rules: [],
  latency: [],
  retryAfterSeconds: 1,
  retryAfterOn503: false,
  slowChunkMs: 250
}

const invalid = (value: string, reason: string) => new InvalidArgument({ argument: "faults", value, reason })

const parseScope = (raw: string): string | null => {
  const s = raw
    .trim()
    .replace(/^\/+/, "")
    .replace(/^api\/rest\/v2\//, "")
  return s.length === 0 ? null : s
}

const parseNumber = (s: string): number | undefined => {
  if (!/^\d+(\.\d+)?$/.test(s.trim())) return undefined
  return Number(s)
}

/**
 * Parse a latency spec: `MS`, `MS~JITTER`, optionally `@ENDPOINT`.
 *
 * @since 0.1.0
 */
export const parseLatency = (spec: string): Either.Either<LatencyRule, InvalidArgument> => {
  const [body = "", scopeRaw] = spec.split("@", 2)
  const [fixedRaw = "", jitterRaw] = body.split("~", 2)
  const fixed = parseNumber(fixedRaw)
  const jitter = jitterRaw === undefined ? 0 : parseNumber(jitterRaw)
  if (fixed === undefined || jitter === undefined)
    return Either.left(
      new InvalidArgument({ argument: "latency", value: spec, reason: "expected MS or MS~JITTER (milliseconds)" })
    )
  return Either.right({ fixedMs: fixed, jitterMs: jitter, scope: scopeRaw === undefined ? null : parseScope(scopeRaw) })
}

/**
 * Parse a fault spec (see the module documentation for the grammar).
 *
 * @since 0.1.0
 */
export const parseFaults = (spec: string): Either.Either<FaultConfig, InvalidArgument> => {
  const rules: Array<FaultRule> = []
  const latency: Array<LatencyRule> = []
  let retryAfterSeconds = none.retryAfterSeconds
  let retryAfterOn503 = false
  let slowChunkMs = none.slowChunkMs
  for (const raw of spec.split(",")) {
    const item = raw.trim()
    if (item.length === 0) continue
    const eq = item.indexOf("=")
    if (eq > 0) {
      const key = item.slice(0, eq).trim()
      const value = item.slice(eq + 1).trim()
      if (key === "latency") {
        const parsed = parseLatency(value)
        if (Either.isLeft(parsed)) return Either.left(invalid(item, parsed.left.reason))
        latency.push(parsed.right)
        continue
      }
      const n = parseNumber(value)
      if (n === undefined) return Either.left(invalid(item, `${key} needs a non-negative number`))
      if (key === "retry-after") {
        retryAfterSeconds = n
        retryAfterOn503 = true
      } else if (key === "slow-ms") slowChunkMs = n
      else return Either.left(invalid(item, `unknown setting ${JSON.stringify(key)} (retry-after, slow-ms, latency)`))
      continue
    }
    const [body = "", scopeRaw] = item.split("@", 2)
    const colon = body.lastIndexOf(":")
    if (colon <= 0) return Either.left(invalid(item, "expected KIND:PROBABILITY, e.g. 503:0.1"))
    const kind = body.slice(0, colon).trim().toLowerCase()
    const probability = parseNumber(body.slice(colon + 1))
    if (!FAULT_KINDS.includes(kind as FaultKind))
      return Either.left(invalid(item, `unknown fault kind ${JSON.stringify(kind)} (${FAULT_KINDS.join(", ")})`))
    if (probability === undefined || probability > 1)
      return Either.left(invalid(item, "the probability must be a number between 0 and 1"))
    rules.push({ kind: kind as FaultKind, probability, scope: scopeRaw === undefined ? null : parseScope(scopeRaw) })
  }
  const globalSum = rules.filter((r) => r.scope === null).reduce((s, r) => s + r.probability, 0)
  if (globalSum > 1 + 1e-9)
    return Either.left(invalid(spec, `the probabilities of the unscoped faults add up to ${globalSum}, more than 1`))
  return Either.right({ rules, latency, retryAfterSeconds, retryAfterOn503, slowChunkMs })
}

const matchers = new Map<string, RegExp>()

/**
 * Whether a scope (`null`, an endpoint, or a pattern with `*`) covers an endpoint. Unscoped
 * rules cover the REST endpoints only, not the version probe `clientlib/isAlive/ver`.
 *
 * @since 0.1.0
 */
export const inScope = (scope: string | null, endpoint: string): boolean => {
  if (scope === null) return !endpoint.startsWith("clientlib/")
  if (!scope.includes("*")) return scope === endpoint
  let re = matchers.get(scope)
  if (re === undefined) {
    re = new RegExp(
      `^${scope
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`
    )
    matchers.set(scope, re)
  }
  return re.test(endpoint)
}

/**
 * The fault for the `n`-th request (0-based) to `endpoint` under `seed`, or `null`. Rules are
 * tried in spec order on one uniform draw, so their probabilities add up.
 *
 * @since 0.1.0
 */
export const decide = (config: FaultConfig, seed: number, endpoint: string, n: number): FaultKind | null => {
  if (config.rules.length === 0) return null
  const u = uniformAt(seed, hashString(endpoint), n, 0xfa17)
  let acc = 0
  for (const rule of config.rules) {
    if (!inScope(rule.scope, endpoint)) continue
    acc += rule.probability
    if (u < acc) return rule.kind
  }
  return null
}

/**
 * The latency (ms) added to the `n`-th request to `endpoint` under `seed`: the sum of every
 * latency rule that covers the endpoint (an unscoped rule covers every endpoint).
 *
 * @since 0.1.0
 */
export const latencyFor = (config: FaultConfig, seed: number, endpoint: string, n: number): number => {
  let ms = 0
  for (const [i, rule] of config.latency.entries()) {
    if (rule.scope !== null && !inScope(rule.scope, endpoint)) continue
    ms += rule.fixedMs + (rule.jitterMs === 0 ? 0 : uniformAt(seed, hashString(endpoint), n, 0x1a7 + i) * rule.jitterMs)
  }
  return Math.round(ms)
}

/**
 * Render a config back to a spec string.
 *
 * @since 0.1.0
 */
export const format = (config: FaultConfig): string => {
  const parts: Array<string> = config.rules.map(
    (r) => `${r.kind}:${r.probability}${r.scope === null ? "" : `@${r.scope}`}`
  )
  for (const l of config.latency)
    parts.push(
      `latency=${l.fixedMs}${l.jitterMs === 0 ? "" : `~${l.jitterMs}`}${l.scope === null ? "" : `@${l.scope}`}`
    )
  if (config.retryAfterOn503 || config.retryAfterSeconds !== none.retryAfterSeconds)
    parts.push(`retry-after=${config.retryAfterSeconds}`)
  if (config.slowChunkMs !== none.slowChunkMs) parts.push(`slow-ms=${config.slowChunkMs}`)
  return parts.join(",")
}
