import { decodeWire } from "@comet-ts/core/Decode"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert } from "@effect/vitest"
import { Effect, Exit, type Schema } from "effect"

export const KEY = "local-dev-key"
export const OTHER_KEY = "other-user-key"
export const BASE = "http://emulator.test"

/** GET a path of the emulator (in process: any host works). */
export const get = (path: string, headers: Record<string, string> = { authorization: KEY }) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(HttpClientRequest.get(`${BASE}${path}`, { headers })))

/** POST JSON to a path of the emulator. */
export const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: KEY }) =>
  Effect.flatMap(HttpClient.HttpClient, (c) =>
    c.execute(HttpClientRequest.bodyUnsafeJson(HttpClientRequest.post(`${BASE}${path}`, { headers }), body))
  )

/** The JSON body of a 200 response with exactly `Content-Type: application/json`. */
export const ok = (r: HttpClientResponse.HttpClientResponse) =>
  Effect.gen(function* () {
    const text = yield* r.text
    assert.strictEqual(r.status, 200, `status of ${r.request.url}: ${text.slice(0, 300)}`)
    assert.strictEqual(r.headers["content-type"], "application/json")
    return JSON.parse(text) as unknown
  })

/** GET and return the JSON body (asserting 200). */
export const getJson = (path: string, headers?: Record<string, string>) => Effect.flatMap(get(path, headers), ok)

/** An error response: its status and Comet's error body. */
export const errorOf = (r: HttpClientResponse.HttpClientResponse) =>
  Effect.gen(function* () {
    assert.strictEqual(r.headers["content-type"], "application/json")
    const body = (yield* r.json) as { code: number; msg: string; sdk_error_code?: number }
    assert.strictEqual(body.code, r.status)
    assert.isString(body.msg)
    return { status: r.status, body }
  })

/** Decode with a core wire Schema, failing the test with the DecodeError when it does not fit. */
export const decodes = <A, I>(schema: Schema.Schema<A, I, never>, value: unknown, endpoint = "test"): A => {
  const exit = Effect.runSyncExit(decodeWire(schema, endpoint)(value))
  if (Exit.isFailure(exit)) return assert.fail(`${endpoint} did not decode: ${String(exit.cause)}`)
  return exit.value
}
