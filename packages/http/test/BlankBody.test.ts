/**
 * A body of only white space where JSON is expected (a proxy's padding, a gzip of spaces) is
 * described as what it is — white space, its size in bytes, which characters — never as an
 * empty body; an empty body still says it is empty. Over every transport adapter, on real
 * loopback sockets.
 */
import { gzipSync } from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { over, REAL, serve } from "./support/sockets.js"

const MiB = 1024 * 1024
const Values = Schema.Struct({ values: Schema.Array(Schema.Number) })

const cases = [
  { name: '"   \\n"', body: Buffer.from("   \n"), gzip: false, says: "only white space: 4 bytes (spaces, line feeds)" },
  {
    name: "a gzip of 4 MiB of spaces",
    body: gzipSync(Buffer.alloc(4 * MiB, 0x20)),
    gzip: true,
    says: `only white space: ${4 * MiB} bytes (spaces)`
  },
  {
    name: "tabs and CRLF",
    body: Buffer.from("\t\r\n\t\r\n"),
    gzip: false,
    says: "only white space: 6 bytes (tabs, carriage returns, line feeds)"
  },
  {
    name: "no-break spaces",
    body: Buffer.from("\u00a0\u00a0"),
    gzip: false,
    says: "only white space: 4 bytes (no-break spaces)"
  }
] as const

describe.each(REAL)("over %s", (adapter) => {
  for (const c of cases) {
    it.live(`a JSON body of ${c.name} is described as white space with its size, not as empty`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { url } = yield* serve((_req, res) => {
            res.writeHead(200, {
              "content-type": "application/json",
              ...(c.gzip ? { "content-encoding": "gzip" } : {})
            })
            res.end(c.body)
          })
          yield* over(adapter, url, { maxJsonBytes: 8 * MiB, maxRetries: 0 }, ({ http }) =>
            Effect.gen(function* () {
              const e = yield* Effect.flip(http.get("experiment/metrics/summary", Values))
              assert.include(e.message, `the body is ${c.says}, JSON was expected`)
              assert.notInclude(e.message, "empty")
              if (c.gzip && adapter !== "undici") {
                // fetch and a user's HttpClient cannot tell a compressed body cut short: one that
                // does not parse after decompression is read as cut short (and says what came)
                assert.strictEqual(e._tag, "TransportError")
                return
              }
              assert.strictEqual(e._tag, "DecodeError", e.message)
              if (e._tag !== "DecodeError") return
              assert.strictEqual(e.detail, `the body is ${c.says}, JSON was expected`)
              assert.strictEqual(e.excerpt, `(${c.says})`)
            })
          )
        })
      )
    )
  }

  it.live("an empty JSON body is still described as empty", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { url } = yield* serve((_req, res) => {
          res.writeHead(200, { "content-type": "application/json" })
          res.end()
        })
        yield* over(adapter, url, {}, ({ http }) =>
          Effect.gen(function* () {
            const e = yield* Effect.flip(http.get("experiment/metrics/summary", Values))
            assert.strictEqual(e._tag, "DecodeError")
            if (e._tag !== "DecodeError") return
            assert.strictEqual(e.detail, "the body is empty, JSON was expected")
            assert.strictEqual(e.excerpt, "(empty body)")
          })
        )
      })
    )
  )
})
