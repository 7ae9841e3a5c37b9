/**
 * The command line's building blocks on their own: the CSV writer (parsed back with csv-parse),
 * secret scrubbing, terminal-safe cells, the error → exit code mapping, the row writers, the
 * gate's decision.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Summaries } from "@comet-ts/api"
import {
  Ambiguous,
  BadRequest,
  type ChartExperiment,
  ConfigurationError,
  DecodeError,
  InvalidArgument,
  NotFound,
  QueryError,
  RateLimited,
  ServerError,
  TransportError,
  Unauthorized
} from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import * as fc from "fast-check"
import { type CsvValue, record, records } from "../src/Csv.js"
import { decide } from "../src/commands/Gate.js"
import { rowWriter } from "../src/commands/Metrics.js"
import { FileError, GateNotMet, OutputClosed, UsageError } from "../src/Errors.js"
import { ExitCode, outcomeOf } from "../src/ExitCodes.js"
import { printable, table } from "../src/Output.js"
import { REDACTED, scrubber } from "../src/Redact.js"
import { VERSION } from "../src/Version.js"

/** Whether a text has a C0 or C1 control character. */
const hasControl = (text: string) =>
  [...text].some((ch) => {
    const c = ch.codePointAt(0) ?? 0
    return c < 0x20 || (c >= 0x7f && c <= 0x9f)
  })

describe("CSV", () => {
  const one = (value: CsvValue) => record([value]).slice(0, -1)

  it("quotes what RFC 4180 says must be quoted", () => {
    assert.strictEqual(one("plain"), "plain")
    assert.strictEqual(one('say "hi"'), '"say ""hi"""')
    assert.strictEqual(one("a,b"), '"a,b"')
    assert.strictEqual(one("two\nlines"), '"two\nlines"')
    assert.strictEqual(one("cr\r"), '"cr\r"')
    assert.strictEqual(one("crlf\r\nend"), '"crlf\r\nend"')
    assert.strictEqual(one(" padded"), '" padded"')
    assert.strictEqual(one("padded\t"), '"padded\t"')
    assert.strictEqual(one(""), '""')
    assert.strictEqual(one(null), "")
    assert.strictEqual(one(undefined), "")
    assert.strictEqual(one(Number.NaN), "NaN")
    assert.strictEqual(one(-Infinity), "-Infinity")
    assert.strictEqual(one(1e-7), "1e-7")
    assert.strictEqual(one(-0), "0")
    assert.strictEqual(one(true), "true")
    assert.strictEqual(one(false), "false")
    assert.strictEqual(one("=1+2"), "=1+2")
    assert.strictEqual(record(["a", 1, null, "x,y"]), 'a,1,,"x,y"\n')
    assert.strictEqual(records([]), "")
  })

  it("property: any records parse back to themselves (csv-parse); a batch is its records one after another", () => {
    const value = fc.oneof(fc.string({ unit: "binary" }), fc.double(), fc.boolean(), fc.constant(null))
    fc.assert(
      fc.property(
        fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 20 }),
        (rows) => {
          const text = records(rows)
          assert.strictEqual(text, rows.map((r) => record(r)).join(""))
          const back = parse(text, { relax_column_count: false }) as Array<Array<string>>
          assert.strictEqual(back.length, rows.length)
          rows.forEach((r, i) => {
            r.forEach((v, j) => {
              const got = back[i]?.[j]
              if (v === null) assert.strictEqual(got, "")
              else if (typeof v === "number") assert.isTrue(Object.is(Number(got), v) || (v === 0 && Number(got) === 0))
              else if (typeof v === "boolean") assert.strictEqual(got, String(v))
              else assert.strictEqual(got, v)
            })
          })
        }
      )
    )
  })
})

describe("secrets never printed", () => {
  const key = "Ab+c/d=Key-123"
  const scrub = scrubber([key, "ab"])

  it("removes the key as written, URL-encoded, JSON-escaped and in any case", () => {
    for (const form of [
      key,
      encodeURIComponent(key),
      key.toUpperCase(),
      key.toLowerCase(),
      JSON.stringify(key).slice(1, -1)
    ]) {
      const out = scrub(`before ${form} after`)
      assert.strictEqual(out, `before ${REDACTED} after`, form)
    }
    // Secrets too short to be keys are left alone (they would remove ordinary words).
    assert.strictEqual(scrub("ab cd"), "ab cd")
  })

  it("a part of a key (8 or more of its characters, in any case, encoded) is masked: a key pasted into another flag, cut", () => {
    const long = "Zq7kP2mW9xL4vB8nR1tY"
    const scrubLong = scrubber([long])
    for (const part of [
      long.slice(0, 8),
      long.slice(3, 17).toLowerCase(),
      [...long.slice(10)].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("")
    ]) {
      assert.strictEqual(
        scrubLong(`--max-retries ${part}x is not an integer`),
        `--max-retries ${REDACTED}x is not an integer`
      )
    }
    // 7 characters are not a part
    assert.strictEqual(scrubLong(`value ${long.slice(0, 7)}`), `value ${long.slice(0, 7)}`)
  })

  it("property: no output contains the key, whatever surrounds it", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 4, maxLength: 12 }).filter((s) => s.trim().length >= 4),
        fc.string(),
        fc.string(),
        (secret, a, b) => {
          const out = scrubber([secret])(`${a}${secret}${b}${encodeURIComponent(secret)}`)
          assert.notInclude(out.toLowerCase(), secret.trim().toLowerCase())
        }
      )
    )
  })
})

describe("terminal-safe text", () => {
  it("escape sequences and line breaks from a server never reach the terminal", () => {
    const evil = "run\u001b[2J\u001b]0;pwned\u0007\nsecond line\tend"
    const out = printable(evil)
    assert.isFalse(hasControl(out))
    assert.include(out, "second line end")
    const t = table(["name"], [[evil]])
    assert.notInclude(t, "\u001b")
    // Top rule, header, rule, the one row, bottom rule: the row stayed on one line.
    assert.strictEqual(t.split("\n").filter((l) => l.length > 0).length, 5)
  })

  it("long cells are cut with an ellipsis", () => {
    assert.strictEqual([...printable("x".repeat(200))].length, 80)
    assert.isTrue(printable("x".repeat(200)).endsWith("…"))
  })
})

describe("exit codes", () => {
  const endpoint = "experiments"
  const cases: ReadonlyArray<readonly [unknown, number]> = [
    [new ConfigurationError({ setting: "apiKey", reason: "none" }), ExitCode.usage],
    [new InvalidArgument({ argument: "a", value: "b", reason: "c" }), ExitCode.usage],
    [new QueryError({ reason: "syntax", detail: "d", line: 1, column: 2, hint: null }), ExitCode.usage],
    [new UsageError({ detail: "d" }), ExitCode.usage],
    [new Ambiguous({ resource: "experiment", name: "run", scope: "ws/proj", matches: ["k1", "k2"] }), ExitCode.usage],
    [new Unauthorized({ status: 401, endpoint, serverMessage: null, sdkErrorCode: null }), ExitCode.auth],
    [new Unauthorized({ status: 403, endpoint, serverMessage: null, sdkErrorCode: null }), ExitCode.auth],
    [
      new NotFound({ resource: "project", id: "p", endpoint, serverMessage: null, sdkErrorCode: null }),
      ExitCode.notFound
    ],
    [new RateLimited({ endpoint, retryAfterMillis: 1000, attempts: 9, serverMessage: null }), ExitCode.unavailable],
    [
      new ServerError({ status: 503, endpoint, serverMessage: null, sdkErrorCode: null, attempts: 9 }),
      ExitCode.unavailable
    ],
    [new TransportError({ endpoint, reason: "network", detail: "d", attempts: 9 }), ExitCode.unavailable],
    [new TransportError({ endpoint, reason: "timeout", detail: "d", attempts: 9 }), ExitCode.unavailable],
    [new TransportError({ endpoint, reason: "truncated", detail: "d", attempts: 9 }), ExitCode.unavailable],
    [new TransportError({ endpoint, reason: "redirect", detail: "d", attempts: 1 }), ExitCode.protocol],
    [new TransportError({ endpoint, reason: "too-large", detail: "d", attempts: 1 }), ExitCode.protocol],
    [new TransportError({ endpoint, reason: "aborted", detail: "d", attempts: 1 }), ExitCode.interrupted],
    [new BadRequest({ status: 400, endpoint, serverMessage: null, sdkErrorCode: null }), ExitCode.protocol],
    [new DecodeError({ endpoint, path: "x", detail: "d", excerpt: "e" }), ExitCode.protocol],
    [new FileError({ path: "/x", operation: "write", detail: "d" }), ExitCode.localFile],
    [new GateNotMet({ verdict: "FAIL" }), ExitCode.gateNotMet],
    [new OutputClosed({}), ExitCode.ok],
    [new Error("boom"), ExitCode.internal]
  ]

  it("every failure has its documented code and at most one line", () => {
    for (const [error, code] of cases) {
      const outcome = outcomeOf(error)
      assert.strictEqual(outcome.code, code, String(error))
      if (outcome.line !== null) {
        assert.notInclude(outcome.line, "\n")
        assert.match(outcome.line, /^comet-ts: /)
      }
    }
    assert.include(outcomeOf(new Error("boom")).line, "please report")
  })

  it("a server's message cannot break the line or move the cursor", () => {
    const e = new ServerError({
      status: 500,
      endpoint,
      serverMessage: "line one\nline two\u001b[2J",
      sdkErrorCode: null,
      attempts: 1
    })
    const line = outcomeOf(e).line ?? ""
    assert.isFalse(hasControl(line))
    assert.include(line, "line one line two")
  })
})

describe("row writers", () => {
  const chart: ChartExperiment = {
    experimentKey: "k1" as ChartExperiment["experimentKey"],
    experimentName: null,
    steps: null,
    epochs: null,
    params: { lr: "0.1", opt: "adam,w" },
    metrics: [
      {
        metricName: "loss",
        values: [1, null, Number.NaN, Number.POSITIVE_INFINITY],
        steps: [0, 1, 2, 3],
        epochs: null,
        timestamps: [10, 11, 12, 13],
        durations: null
      }
    ]
  }

  it("CSV: header with params.NAME columns; NaN and Infinity as written; missing points left out", () => {
    const w = rowWriter("csv", ["lr", "opt"])
    assert.strictEqual(w.begin, "experimentKey,experimentName,metric,step,epoch,timestamp,value,params.lr,params.opt\n")
    assert.strictEqual(
      w.experiment(chart, "run one", true),
      'k1,run one,loss,0,,10,1,0.1,"adam,w"\nk1,run one,loss,2,,12,NaN,0.1,"adam,w"\nk1,run one,loss,3,,13,Infinity,0.1,"adam,w"\n'
    )
  })

  it("JSON: one valid array across experiments; non-finite values as strings", () => {
    const w = rowWriter("json", [])
    const text = w.begin + w.experiment(chart, null, true) + w.experiment(chart, "b", false) + w.end
    const rows = JSON.parse(text) as Array<{ value: unknown; experimentName: unknown }>
    assert.strictEqual(rows.length, 6)
    assert.deepStrictEqual(
      rows.map((r) => r.value),
      [1, "NaN", "Infinity", 1, "NaN", "Infinity"]
    )
    assert.deepStrictEqual(JSON.parse(w.begin + w.end), [])
    const nd = rowWriter("ndjson", ["lr"]).experiment(chart, null, true)
    assert.deepStrictEqual(
      nd
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { params: unknown }).params),
      [{ lr: "0.1" }, { lr: "0.1" }, { lr: "0.1" }]
    )
  })
})

describe("the gate's decision", () => {
  const summary = (name: string, last: string | null) =>
    Summaries.numeric({
      name,
      valueCurrent: last,
      valueMin: last,
      valueMax: last,
      timestampCurrent: null,
      timestampMin: null,
      timestampMax: null,
      runContextCurrent: null,
      runContextMin: null,
      runContextMax: null,
      stepCurrent: null,
      stepMin: null,
      stepMax: null,
      editable: false
    })
  const spec = { query: "q", metric: "acc", aggregate: "last" as const, min: 0.9, max: null, require: 2 }

  it("counts passing experiments; NaN, text and missing values never pass; best first", () => {
    const result = decide(spec, [
      { key: "a", name: null, summary: summary("acc", "0.95") },
      { key: "b", name: null, summary: summary("acc", "nan") },
      { key: "c", name: null, summary: summary("acc", "high") },
      { key: "d", name: null, summary: undefined },
      { key: "e", name: null, summary: summary("acc", "0.97") },
      { key: "f", name: null, summary: summary("acc", "0.5") }
    ])
    assert.isTrue(result.holds)
    assert.strictEqual(result.passed, 2)
    assert.deepStrictEqual(
      result.rows.map((r) => r.key),
      ["e", "a", "f", "b", "c", "d"]
    )
    assert.strictEqual(result.rows.find((r) => r.key === "c")?.text, "high")
    assert.isFalse(decide({ ...spec, require: 3 }, [{ key: "a", name: null, summary: summary("acc", "0.95") }]).holds)
  })

  it("property: the gate holds exactly when at least N values are within the bounds", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true, min: -10, max: 10 }), fc.constant(null)), { maxLength: 20 }),
        fc.double({ noNaN: true, min: -10, max: 10 }),
        fc.integer({ min: 1, max: 5 }),
        (values, min, require) => {
          const result = decide(
            { ...spec, min, require },
            values.map((v, i) => ({
              key: String(i),
              name: null,
              summary: summary("acc", v === null ? null : String(v))
            }))
          )
          const within = values.filter((v) => v !== null && v >= min).length
          assert.strictEqual(result.passed, within)
          assert.strictEqual(result.holds, within >= require)
          assert.match(result.verdict, result.holds ? /^PASS: / : /^FAIL: /)
        }
      )
    )
  })
})

describe("version", () => {
  it("--version is package.json's version", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as { version: string }
    assert.strictEqual(VERSION, pkg.version)
  })
})
