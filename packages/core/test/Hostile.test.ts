/**
 * Hostile answers and hostile callers at the core (issue 13): absence is not success (a 200
 * without the field asked for is a DecodeError naming it, kind 6); a value nested thousands of
 * levels deep where a string is expected is a DecodeError, not a RangeError from the error
 * formatter (kind 7); options of the wrong runtime type are a ConfigurationError naming the
 * option, not a TypeError (kind 7).
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, type Schema } from "effect"
import { decodeJsonText, decodeWire } from "../src/Decode.js"
import * as Core from "../src/index.js"

const failure = <A>(exit: Exit.Exit<A, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return assert.fail(`succeeded with ${JSON.stringify(exit.value)}`)
  const f = Cause.failureOption(exit.cause)
  if (f._tag === "None") return assert.fail(`not a typed failure: ${Cause.pretty(exit.cause)}`)
  return f.value
}

const decodeError = (schema: Schema.Schema.AnyNoContext, text: string): Core.DecodeError => {
  const e = failure(Effect.runSyncExit(decodeJsonText(schema, "the/endpoint")(text)))
  assert.instanceOf(e, Core.DecodeError)
  return e as Core.DecodeError
}

describe("absence is not success (kind 6)", () => {
  // What each read returns, and the field whose absence must not pass for an empty value.
  const asked: ReadonlyArray<readonly [string, Schema.Schema.AnyNoContext, string]> = [
    ["experiment/code", Core.Code, "code"],
    ["experiment/output", Core.Output, "output"],
    ["experiment/graph", Core.Graph, "graph"],
    ["experiment/html", Core.Html, "html"],
    ["project/notes", Core.ProjectNotes, "notes"],
    ["experiment/tags", Core.Tags, "tags"],
    ["experiment/system-details", Core.SystemDetails, "experimentKey"],
    ["experiment/git/metadata", Core.GitMetadata, "user"],
    ["account-details", Core.AccountDetails, "userName"],
    ["experiment/metadata", Core.ExperimentMetadata, "experimentKey"],
    ["experiments", Core.ExperimentList, "experiments"],
    ["experiment/metrics/summary", Core.SummaryList, "values"],
    ["experiment/metrics/get-metric", Core.MetricHistory, "metrics"],
    ["experiment/asset/list", Core.AssetList, "assets"],
    ["experiment/model", Core.ExperimentModelList, "models"],
    ["project/column-names", Core.ColumnList, "columns"],
    ["projects", Core.ProjectList, "projects"],
    ["project", Core.Project, "projectId"],
    ["workspaces", Core.WorkspaceList, "workspaceNames"],
    ["experiments/multi-metric-chart", Core.MetricsChartResponse, "experiments"],
    ["project/query", Core.ProjectQueryResponse, "experimentKeys"],
    ["isAlive/ver", Core.BackendVersion, "version"]
  ]
  for (const [endpoint, schema, field] of asked) {
    it(`${endpoint}: {"status":"ok"} is a DecodeError at ${field}`, () => {
      const e = decodeError(schema, '{"status":"ok"}')
      assert.strictEqual(e.path, field)
      assert.include(e.message, "is missing")
    })
  }

  it("each single field may be null where the wire reference says so, but must be there", () => {
    for (const [schema, field] of [
      [Core.Code, "code"],
      [Core.Output, "output"],
      [Core.Graph, "graph"],
      [Core.Html, "html"],
      [Core.ProjectNotes, "notes"]
    ] as const) {
      const ok = Effect.runSync(decodeJsonText(schema as Schema.Schema<unknown, unknown>, "x")(`{"${field}":null}`))
      assert.deepStrictEqual(ok, { [field]: null })
      assert.strictEqual(decodeError(schema, "{}").path, field)
    }
  })

  it("system details and git metadata without one of their keys are DecodeErrors; fields the wire reference calls optional may be absent", () => {
    const details: Record<string, unknown> = {
      ...Object.fromEntries(Object.keys(Core.SystemDetails.fields).map((k) => [k, null])),
      experimentKey: "k",
      installedPackages: ["numpy==2.0"]
    }
    Effect.runSync(decodeWire(Core.SystemDetails, "x")(details))
    for (const key of Object.keys(details)) {
      const { [key]: _, ...rest } = details
      assert.strictEqual(decodeError(Core.SystemDetails, JSON.stringify(rest)).path, key)
    }
    // metadata: optimizationId ("optional in json" for the Python SDK) and the throttle details may be absent
    const meta = {
      experimentKey: "k",
      experimentName: null,
      projectId: "p",
      projectName: "proj",
      workspaceName: "ws",
      filePath: null,
      fileName: null,
      durationMillis: 1,
      startTimeMillis: 1,
      endTimeMillis: 2,
      archived: false
    }
    const m = Effect.runSync(decodeWire(Core.ExperimentMetadata, "x")(meta))
    assert.strictEqual(m.optimizationId, null)
    assert.strictEqual(m.throttleReasons, null)
    for (const key of Object.keys(meta)) {
      const { [key]: _, ...rest } = meta as Record<string, unknown>
      assert.strictEqual(decodeError(Core.ExperimentMetadata, JSON.stringify(rest)).path, key)
    }
  })

  it("a summary entry without its current value is a DecodeError; its steps may be absent (UNCONFIRMED for params)", () => {
    const entry = {
      name: "lr",
      valueMax: "0.1",
      valueMin: "0.1",
      valueCurrent: "0.1",
      timestampMax: 1,
      timestampMin: 1,
      timestampCurrent: 1
    }
    const ok = Effect.runSync(decodeWire(Core.SummaryList, "x")({ values: [entry] }))
    assert.strictEqual(ok.values[0]?.stepCurrent, null)
    const { valueCurrent: _, ...noValue } = entry
    assert.strictEqual(
      decodeError(Core.SummaryList, JSON.stringify({ values: [noValue] })).path,
      "values[0].valueCurrent"
    )
  })
})

describe("deeply nested JSON is a DecodeError (kind 7)", () => {
  for (const depth of [5_000, 100_000]) {
    const deep = `${"[".repeat(depth)}${"]".repeat(depth)}`
    const deepObject = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`
    const cases: ReadonlyArray<readonly [string, Schema.Schema.AnyNoContext, string, string]> = [
      ["a workspace name", Core.WorkspaceList, `{"workspaceNames":["a",${deep}]}`, "workspaceNames[1]"],
      ["the code", Core.Code, `{"code":${deepObject}}`, "code"],
      ["an experiment key", Core.ExperimentMetadata, `{"experimentKey":${deep}}`, "experimentKey"],
      [
        "a metric value",
        Core.MetricHistory,
        `{"metrics":[{"metricName":"m","metricValue":${deep}}]}`,
        "metrics[0].metricValue"
      ],
      [
        "a chart's values",
        Core.MetricsChartResponse,
        `{"experiments":{"k":{"experimentKey":"k","metrics":[{"metricName":"m","values":[${deep}]}]}}}`,
        "experiments.k.metrics[0].values[0]"
      ]
    ]
    for (const [what, schema, text, path] of cases) {
      it(`${depth} levels where ${what} is expected`, () => {
        const e = decodeError(schema, text)
        assert.strictEqual(e.path, path)
        assert.isAtMost(e.message.length, 2000)
        // the already-parsed value (no body text to excerpt) fails the same way
        const parsed: unknown = JSON.parse(text)
        const again = failure(Effect.runSyncExit(decodeWire(schema, "the/endpoint")(parsed)))
        assert.instanceOf(again, Core.DecodeError)
        assert.strictEqual((again as Core.DecodeError).path, path)
      })
    }
  }
})

describe("options of the wrong runtime type are a ConfigurationError (kind 7)", () => {
  const sources = Core.CometConfig.staticSources({})
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, string, string]> = [
    ["baseUrl: 42", { baseUrl: 42 }, "baseUrl", "must be a string, not the number 42"],
    ["timeoutMs: {}", { timeoutMs: {} }, "timeoutMs", "must be a number, not an object"],
    ["maxConcurrency: true", { maxConcurrency: true }, "maxConcurrency", "must be a number, not true"],
    ["rateLimit: 'x'", { rateLimit: "x" }, "rateLimit", "must be a rate limit ({ limit, intervalMs }), not a string"],
    ["rateLimit without intervalMs", { rateLimit: { limit: 5 } }, "rateLimit.intervalMs", "not undefined"],
    [
      "allowInsecureHttp: 'yes'",
      { allowInsecureHttp: "yes" },
      "allowInsecureHttp",
      "must be true or false, not a string"
    ],
    ["workspace: ['a']", { workspace: ["a"] }, "workspace", "must be a string, not an array"],
    ["sources: {}", { sources: {} }, "sources", "configuration sources"],
    ["apiKey: null prototype object", { apiKey: Object.create(null) }, "apiKey", "not an object"],
    [
      "the options themselves: a string",
      "https://www.comet.com" as unknown as Record<string, unknown>,
      "options",
      "must be an options object, not a string"
    ]
  ]
  for (const [name, options, setting, fragment] of cases) {
    it(name, () => {
      const given = typeof options === "string" ? options : { apiKey: "k".repeat(20), sources, ...options }
      const e = failure(Effect.runSyncExit(Core.CometConfig.resolve(given as Core.CometOptions)))
      assert.instanceOf(e, Core.ConfigurationError)
      assert.strictEqual((e as Core.ConfigurationError).setting, setting)
      assert.include((e as Error).message, fragment)
    })
  }

  it("null is read as not given (Python's None)", () => {
    const c = Effect.runSync(
      Core.CometConfig.resolve({
        apiKey: "k".repeat(20),
        sources,
        rateLimit: null,
        baseUrl: null,
        timeoutMs: null
      } as unknown as Core.CometOptions)
    )
    assert.strictEqual(c.rateLimit, null)
    assert.strictEqual(c.baseUrl, "https://www.comet.com")
  })
})
