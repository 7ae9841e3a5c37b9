/**
 * A transport failure's cause chain, described in one line in the typed error, whatever the
 * causes are: a multi-line message folded, and an Error whose `message` is not a string (an odd
 * library under a user's HttpClient) described as its text, never a TypeError of our own.
 */
import { HttpClient, HttpClientError } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Schema } from "effect"
import { CometHttp } from "../src/CometHttp.js"

const N = Schema.Struct({ n: Schema.Number })

/** CometHttp over a user's HttpClient whose every request fails at the transport with `cause`. */
const failingWith = (cause: unknown) =>
  CometHttp.layer({ apiKey: "tk_cause_0123456789abcdef", baseUrl: "http://127.0.0.1:9", maxRetries: 0 }).pipe(
    Layer.provide(
      Layer.succeed(
        HttpClient.HttpClient,
        HttpClient.make((request) =>
          Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
        )
      )
    )
  )

const oddMessage = (message: unknown): Error => {
  const e = new Error("placeholder")
  Object.defineProperty(e, "message", { value: message })
  return e
}

describe("a transport failure's cause, described in one line", () => {
  for (const [title, cause, shown] of [
    ["a multi-line message", new Error("first line\n    second line"), "Error: first line second line"],
    ["a message that is a number", oddMessage(42), "Error: 42"],
    ["a message that is an object", oddMessage({ toString: () => "said\nas an object" }), "Error: said as an object"]
  ] as const) {
    it.effect(`${title}: a typed TransportError naming it`, () =>
      Effect.gen(function* () {
        const ctx = yield* Layer.build(failingWith(cause))
        const error = yield* Effect.flip(Context.get(ctx, CometHttp).get("experiment/code", N))
        assert.strictEqual(error._tag, "TransportError")
        assert.include(error.message, shown, error.message)
        assert.notInclude(error.message, "\n")
      }).pipe(Effect.scoped)
    )
  }
})
