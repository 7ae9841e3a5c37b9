/**
 * The panel request report's first line says what was counted: HTTP requests for reads, and how
 * many reads shared or reused a result — never "N requests" twice with two meanings.
 */
import type { StatsSnapshot } from "@comet-ts/http"
import { assert, describe, it } from "@effect/vitest"
import { formatReport } from "../src/internal/report.js"

const snapshot = (s: Partial<StatsSnapshot>): StatsSnapshot => ({
  requests: 0,
  attempts: 0,
  retries: 0,
  retriesByCause: {},
  resent: 0,
  failures: 0,
  cacheHits: 0,
  coalesced: 0,
  byEndpoint: {},
  byServer: {},
  bytesReceived: 0,
  millis: 0,
  inFlight: 0,
  maxInFlight: 0,
  ...s
})

const firstLine = (s: Partial<StatsSnapshot>) => formatReport(snapshot(s)).split("\n")[0]

describe("panel report", () => {
  it("coalesced and cached reads are counted as such", () => {
    assert.strictEqual(
      firstLine({ requests: 60, attempts: 6, coalesced: 50, cacheHits: 4, byServer: { "http://h:1": 60 } }),
      "comet-ts panel report: 6 HTTP requests sent for 60 reads of http://h:1 (54 answered from shared or cached results)."
    )
  })

  it("one read per request; several servers; none yet", () => {
    assert.strictEqual(
      firstLine({ requests: 1, attempts: 1, byServer: { "http://h:1": 1 } }),
      "comet-ts panel report: 1 HTTP request sent for 1 read of http://h:1."
    )
    assert.strictEqual(
      firstLine({ requests: 3, attempts: 5, byServer: { "http://a": 2, "http://b": 1 } }),
      "comet-ts panel report: 5 HTTP requests sent for 3 reads (2 of http://a, 1 of http://b)."
    )
    assert.strictEqual(firstLine({}), "comet-ts panel report: 0 HTTP requests sent for 0 reads.")
  })

  it("requests sent again on a new connection are said, and only when there were some", () => {
    const said = (s: Partial<StatsSnapshot>) =>
      formatReport(snapshot(s))
        .split("\n")
        .filter((l) => l.startsWith("Sent again"))
    assert.deepStrictEqual(said({ requests: 2, attempts: 3, resent: 1 }), [
      "Sent again at once on a new connection: 1 (a kept-alive connection the server had closed; not retries)."
    ])
    assert.deepStrictEqual(said({ requests: 2, attempts: 2 }), [])
  })
})
