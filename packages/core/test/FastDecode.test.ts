/**
 * The compiled fast path of `Decode.decodeWire` against Effect Schema's interpreter: for every
 * wire Schema, on generated valid inputs, on mutated (mostly invalid) inputs and on the recorded
 * Comet responses, the fast path either gives exactly the interpreter's result (same values,
 * same key order) or declines; it never accepts what the interpreter rejects. Errors still come
 * from the interpreter, with their path.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Effect, Either, Exit, FastCheck as fc, Schema } from "effect"
import { decodeJsonText, wireParseOptions } from "../src/Decode.js"
import * as Core from "../src/index.js"
import { fastDecoder, isMiss, NO } from "../src/internal/fastDecode.js"
import { recordedDir, recordedSchemas } from "./recorded.js"

const schemas: Record<string, Schema.Schema.AnyNoContext> = {
  AccountDetails: Core.AccountDetails,
  WorkspaceList: Core.WorkspaceList,
  Project: Core.Project,
  ProjectList: Core.ProjectList,
  ProjectNotes: Core.ProjectNotes,
  Column: Core.Column,
  ColumnList: Core.ColumnList,
  ExperimentSummary: Core.ExperimentSummary,
  ExperimentList: Core.ExperimentList,
  ExperimentMetadata: Core.ExperimentMetadata,
  Summary: Core.Summary,
  SummaryList: Core.SummaryList,
  MetricPoint: Core.MetricPoint,
  MetricHistory: Core.MetricHistory,
  MetricsChartRequest: Core.MetricsChartRequest,
  ChartMetric: Core.ChartMetric,
  ChartExperiment: Core.ChartExperiment,
  MetricsChartResponse: Core.MetricsChartResponse,
  Tags: Core.Tags,
  Code: Core.Code,
  Output: Core.Output,
  Graph: Core.Graph,
  Html: Core.Html,
  InstalledPackages: Core.InstalledPackages,
  SystemDetails: Core.SystemDetails,
  GitMetadata: Core.GitMetadata,
  Asset: Core.Asset,
  AssetList: Core.AssetList,
  CurveData: Core.CurveData,
  ExperimentModel: Core.ExperimentModel,
  ExperimentModelList: Core.ExperimentModelList,
  ProjectQueryResponse: Core.ProjectQueryResponse,
  ErrorBody: Core.ErrorBody,
  BackendVersion: Core.BackendVersion
}

/** The bodies every request path decodes: these must take the fast path. */
const mustBeFast = [
  "ExperimentList",
  "ExperimentMetadata",
  "SummaryList",
  "MetricHistory",
  "MetricsChartResponse",
  "ColumnList",
  "ProjectList",
  "AssetList",
  "ProjectQueryResponse",
  "SystemDetails",
  "WorkspaceList"
]

/** Keys of every object, depth first: equal when two values have the same keys in the same order. */
const keyOrder = (u: unknown, out: Array<string> = [], path = "$"): Array<string> => {
  if (Array.isArray(u)) {
    for (let i = 0; i < u.length; i++) keyOrder(u[i], out, `${path}[${i}]`)
  } else if (typeof u === "object" && u !== null) {
    out.push(`${path}:${Reflect.ownKeys(u).map(String).join(",")}`)
    for (const k of Reflect.ownKeys(u)) keyOrder((u as Record<PropertyKey, unknown>)[k], out, `${path}.${String(k)}`)
  }
  return out
}

/** Compare the fast path with the interpreter on one input; returns whether the fast path decided. */
const agree = (name: string, schema: Schema.Schema.AnyNoContext, input: unknown): boolean => {
  const fast = fastDecoder(schema.ast, wireParseOptions)
  if (fast === null) return false
  const slow = Schema.decodeUnknownEither(schema, wireParseOptions)(structuredClone(input))
  const got = fast(structuredClone(input))
  if (isMiss(got)) {
    if (got === NO) assert.isTrue(Either.isLeft(slow), `${name}: the fast path rejected what the interpreter accepts`)
    return false
  }
  if (Either.isLeft(slow)) {
    return assert.fail(`${name}: the fast path accepted what the interpreter rejects: ${slow.left.message}`)
  }
  assert.deepStrictEqual(got, slow.right, `${name}: different values`)
  assert.deepStrictEqual(keyOrder(got), keyOrder(slow.right), `${name}: different key order`)
  return true
}

/** Replace one node of a JSON-like value (chosen by `pick`) with `replacement`, or add a key. */
const mutate = (value: unknown, pick: number, replacement: unknown, addKey: boolean): unknown => {
  const nodes: Array<{ parent: Record<PropertyKey, unknown> | Array<unknown>; key: PropertyKey }> = []
  const walk = (u: unknown) => {
    if (Array.isArray(u)) {
      for (let i = 0; i < u.length; i++) {
        nodes.push({ parent: u, key: i })
        walk(u[i])
      }
    } else if (typeof u === "object" && u !== null)
      for (const k of Object.keys(u)) {
        nodes.push({ parent: u as Record<PropertyKey, unknown>, key: k })
        walk((u as Record<PropertyKey, unknown>)[k])
      }
  }
  const copy = structuredClone(value)
  walk(copy)
  const node = nodes[pick % Math.max(1, nodes.length)]
  if (node === undefined) return replacement
  if (addKey && !Array.isArray(node.parent)) (node.parent as Record<string, unknown>).zz_extra = replacement
  else (node.parent as Record<PropertyKey, unknown>)[node.key] = replacement
  return copy
}

const jsonish = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noDefaultInfinity: true }),
  fc.integer(),
  fc.string(),
  fc.constantFrom("NaN", "1.5", "", "true", "-3"),
  fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.string()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 })
)

describe("fast decode path", () => {
  it("covers every Schema a request decodes", () => {
    for (const name of mustBeFast) {
      const schema = schemas[name]
      assert.isDefined(schema)
      if (schema !== undefined) assert.isNotNull(fastDecoder(schema.ast, wireParseOptions), `${name} is not compiled`)
    }
  })

  it("agrees with the interpreter on generated valid inputs (every wire Schema)", () => {
    for (const [name, schema] of Object.entries(schemas)) {
      const arb = Arbitrary.make(Schema.encodedSchema(schema))
      let decided = 0
      fc.assert(
        fc.property(arb, (input) => {
          if (agree(name, schema, input)) decided++
        }),
        { numRuns: 60, seed: 7 }
      )
      if (mustBeFast.includes(name)) assert.isAbove(decided, 0, `${name}: the fast path never decided`)
    }
  })

  it("never accepts what the interpreter rejects (mutated inputs, every wire Schema)", () => {
    for (const [name, schema] of Object.entries(schemas)) {
      const arb = Arbitrary.make(Schema.encodedSchema(schema))
      fc.assert(
        fc.property(arb, fc.nat(), jsonish, fc.boolean(), (input, pick, replacement, addKey) => {
          agree(name, schema, mutate(input, pick, replacement, addKey))
        }),
        { numRuns: 120, seed: 11 }
      )
    }
  })

  it("gives the interpreter's result on every recorded Comet response", () => {
    for (const f of readdirSync(recordedDir).filter((x) => x.endsWith(".json"))) {
      const schema = recordedSchemas[f]
      assert.isDefined(schema, f)
      if (schema !== undefined) {
        assert.isTrue(agree(f, schema, JSON.parse(readFileSync(join(recordedDir, f), "utf8"))), `${f}: not decided`)
      }
    }
  })

  it("a wrong number in a large chart still fails with its path", () => {
    const key = "a".repeat(32)
    const values = Array.from({ length: 15_000 }, (_, i) => i / 7)
    const metric = (name: string, bad: boolean) => ({
      metricName: name,
      values: bad ? values.map((v, i) => (i === 12_345 ? "oops" : v)) : values,
      steps: values.map((_, i) => i),
      epochs: null,
      timestamps: values.map((_, i) => 1_700_000_000_000 + i),
      durations: values.map((_, i) => i)
    })
    const body = (bad: boolean) =>
      JSON.stringify({
        experiments: {
          [key]: {
            experimentKey: key,
            experimentName: "x",
            steps: null,
            epochs: null,
            metrics: [metric("loss", false), metric("acc", bad)],
            params: null
          }
        }
      })
    // The valid body takes the fast path (null steps and epochs included), with the interpreter's result.
    assert.isTrue(agree("chart", Core.MetricsChartResponse, JSON.parse(body(false))), "the chart was not decided")
    const decode = decodeJsonText(Core.MetricsChartResponse, "experiments/multi-metric-chart")
    const ok = Effect.runSync(decode(body(false)))
    assert.strictEqual(ok.experiments[key]?.metrics[1]?.values.length, 15_000)
    const exit = Effect.runSyncExit(decode(body(true)))
    if (Exit.isSuccess(exit)) return assert.fail("a string among the values decoded")
    const err = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    assert.instanceOf(err, Core.DecodeError)
    assert.strictEqual((err as Core.DecodeError).path, `experiments.${key}.metrics[1].values[12345]`)
  })

  it("a bad field of one point among 15,000 fails with its path", () => {
    const points = Array.from({ length: 15_000 }, (_, i) => ({
      metricName: "loss",
      metricValue: String(1 / (i + 1)),
      timestamp: 1_700_000_000_000 + i,
      step: i,
      epoch: 0,
      runContext: null,
      offset: i
    }))
    assert.isTrue(agree("history", Core.MetricHistory, { metrics: points }), "the history was not decided")
    const decode = decodeJsonText(Core.MetricHistory, "experiment/metrics/get-metric")
    assert.strictEqual(Effect.runSync(decode(JSON.stringify({ metrics: points }))).metrics.length, 15_000)
    const bad = points.map((p, i) => (i === 9_999 ? { ...p, step: "ten" } : p))
    const exit = Effect.runSyncExit(decode(JSON.stringify({ metrics: bad })))
    if (Exit.isSuccess(exit)) return assert.fail("a bad step decoded")
    const err = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    assert.instanceOf(err, Core.DecodeError)
    assert.strictEqual((err as Core.DecodeError).path, "metrics[9999].step")
  })
})
