/**
 * What a failed request says about its retries is true: "used up" (`stoppedBy: "maxRetries"`)
 * only when a retry was due and `maxRetries` stopped it — never for a failure that is not
 * retried (401, 403, 404, 400, a decode failure, a proxy's 407), nor for one whose kind gets no
 * more retries than `maxRetries` allows (a connection never made gets two: with `maxRetries: 2`
 * raising it would not help). Over a fake server (TestClock) and a hostile proxy (loopback).
 */
import type { CometError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Schema, TestClock } from "effect"
import { NO_CONNECTION_RETRIES } from "../src/internal/network.js"
import { json, text, withHttp } from "./support/harness.js"
import { answering, hostileProxy, type Misbehaviour, misbehaviours, proxiedClient } from "./support/hostileProxy.js"

const Ok = Schema.Struct({ ok: Schema.Boolean })

/** Say only what is true: "used up" exactly when stopped by maxRetries; never with "not retried". */
const assertTruthful = (e: CometError, stoppedByMaxRetries: boolean) => {
  const stoppedBy = "stoppedBy" in e ? e.stoppedBy : undefined
  assert.strictEqual(stoppedBy === "maxRetries", stoppedByMaxRetries, `stoppedBy ${stoppedBy}: ${e.message}`)
  assert.strictEqual(/used up/.test(e.message), stoppedByMaxRetries, e.message)
  assert.strictEqual(/raise maxRetries/i.test(e.message), stoppedByMaxRetries, e.message)
  if (/not retried/.test(e.message)) assert.notMatch(e.message, /used up|raise maxRetries/i, e.message)
}

type Kind = {
  readonly name: string
  readonly answer: () => Effect.Effect<Response, Error>
  readonly tag: CometError["_tag"]
  /** Retries the kind gets at most (Infinity: as many as maxRetries allows; 0: not retried). */
  readonly cap: number
}

const kinds: ReadonlyArray<Kind> = [
  ...([401, 403] as const).map((status) => ({
    name: `HTTP ${status}`,
    answer: () => Effect.succeed(json({ msg: "no" }, status)),
    tag: "Unauthorized" as const,
    cap: 0
  })),
  { name: "HTTP 404", answer: () => Effect.succeed(json({ msg: "none" }, 404)), tag: "NotFound", cap: 0 },
  { name: "HTTP 400", answer: () => Effect.succeed(json({ msg: "bad" }, 400)), tag: "BadRequest", cap: 0 },
  { name: "HTTP 501", answer: () => Effect.succeed(json({ msg: "no" }, 501)), tag: "ServerError", cap: 0 },
  { name: "a body that does not decode", answer: () => Effect.succeed(text("{nope", 200)), tag: "DecodeError", cap: 0 },
  {
    name: "a body of the wrong shape",
    answer: () => Effect.succeed(json({ ok: "yes" })),
    tag: "DecodeError",
    cap: 0
  },
  { name: "HTTP 503", answer: () => Effect.succeed(json({ msg: "later" }, 503)), tag: "ServerError", cap: Infinity },
  { name: "HTTP 429", answer: () => Effect.succeed(json({ msg: "slow" }, 429)), tag: "RateLimited", cap: Infinity },
  {
    name: "a dropped connection",
    answer: () => Effect.fail(new Error("socket hang up (ECONNRESET)")),
    tag: "TransportError",
    cap: Infinity
  },
  {
    name: "a connection never made",
    answer: () => Effect.fail(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" })),
    tag: "TransportError",
    cap: NO_CONNECTION_RETRIES
  }
]

describe("the retry wording of a failed request", () => {
  for (const kind of kinds) {
    for (const maxRetries of [0, 1, NO_CONNECTION_RETRIES, 4]) {
      const retries = Math.min(kind.cap, maxRetries)
      const stopped = maxRetries < kind.cap
      it.effect(`${kind.name}, maxRetries ${maxRetries}: ${retries} retries, "used up" ${stopped}`, () =>
        withHttp(kind.answer, { maxRetries }, ({ http, server }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(Effect.flip(http.get("experiments", Ok)))
            yield* TestClock.adjust("1 minute")
            const e = yield* Fiber.join(fiber)
            assert.strictEqual(e._tag, kind.tag, e.message)
            assert.strictEqual(server.count, 1 + retries)
            assertTruthful(e, stopped)
          })
        )
      )
    }
  }
})

const proxied = proxiedClient({ apiKey: "tk_retrywording_5a1b2c3d4e5f6a7bSECRET", timeoutMs: 600_000 })

describe("a proxy's other failures: 'used up' only when maxRetries cut the retries their kind gets", () => {
  const failures: ReadonlyArray<readonly [string, Misbehaviour, number]> = [
    ["refuses CONNECT with 403", answering(403), NO_CONNECTION_RETRIES],
    ["answers with bytes that are not HTTP", misbehaviours.garbage, NO_CONNECTION_RETRIES],
    ["closes the connection without a byte", misbehaviours.close, Infinity]
  ]
  for (const [name, misbehave, cap] of failures) {
    for (const maxRetries of [0, NO_CONNECTION_RETRIES, 4]) {
      const stopped = maxRetries < cap
      it.live(`${name}, maxRetries ${maxRetries}: "used up" ${stopped}`, () =>
        Effect.scoped(
          Effect.gen(function* () {
            const proxy = yield* hostileProxy(misbehave)
            const http = yield* proxied(
              { HTTPS_PROXY: proxy.url },
              { baseUrl: "https://comet.example.invalid", maxRetries }
            )
            const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
            assert.strictEqual(e._tag, "TransportError", e.message)
            assert.strictEqual(proxy.seen.lines.length, 1 + Math.min(cap, maxRetries))
            assertTruthful(e, stopped)
          })
        )
      )
    }
  }
})

describe("a proxy's 407 is not retried, and says nothing of maxRetries", () => {
  for (const maxRetries of [0, 1, 6]) {
    it.live(`maxRetries ${maxRetries}: one attempt, "It is not retried.", no "used up"`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const proxy = yield* hostileProxy(answering(407, { headers: 'proxy-authenticate: Basic realm="corp"\r\n' }))
          const http = yield* proxied(
            { HTTPS_PROXY: proxy.url },
            { baseUrl: "https://comet.example.invalid", maxRetries }
          )
          const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
          assert.strictEqual(e._tag, "TransportError", e.message)
          assert.strictEqual(proxy.seen.lines.length, 1)
          assert.include(e.message, "It is not retried.")
          assertTruthful(e, false)
        })
      )
    )
  }
})
