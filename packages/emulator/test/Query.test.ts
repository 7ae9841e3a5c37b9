import type { Predicate } from "@comet-ts/core"
import type { ExperimentRecord } from "@comet-ts/query/ExperimentRecord"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { layerClient } from "../src/Emulator.js"
import { generate } from "../src/Generator.js"
import { lastValue } from "../src/Series.js"
import { errorOf, getJson, post } from "./util.js"

// The plumbing of POST project/query: body decoding, project lookup, access, the archived flag,
// and the records handed to the evaluator. The evaluator itself is @comet-ts/query's (shared
// rule table); here a recording stub stands in for it.
const dataset = generate({ size: "small", seed: 1 })
const sweep = dataset.workspaces[0]!.projects[0]!
const tagged: Predicate = {
  source: "tag",
  query: {
    condition: "AND",
    rules: [{ id: "best", field: "best", type: "string", operator: "equal", value: "best" }],
    valid: true
  }
}

describe("project/query plumbing", () => {
  it.effect("hands each experiment's record to the evaluator and returns the matching keys", () => {
    const seen: Array<ExperimentRecord> = []
    const evaluatePredicates = (predicates: ReadonlyArray<Predicate>, record: ExperimentRecord) => {
      seen.push(record)
      assert.deepStrictEqual(predicates, [tagged])
      return record.tags.includes("best")
    }
    return Effect.gen(function* () {
      const r = (yield* Effect.flatMap(
        post("/api/rest/v2/project/query", {
          workspaceName: "local-dev",
          projectName: "mnist-sweep",
          predicates: [tagged],
          archived: false
        }),
        (x) => x.json
      )) as { experimentKeys: Array<string> }
      const active = sweep.experiments.filter((e) => !e.archived)
      assert.deepStrictEqual(
        r.experimentKeys,
        active.filter((e) => e.tags.includes("best")).map((e) => e.experimentKey)
      )
      assert.strictEqual(seen.length, active.length)
      const e = active[0]!
      const record = seen[0]!
      assert.strictEqual(record.metrics.loss, lastValue(e.metrics.find((s) => s.name === "loss")!))
      assert.strictEqual(record.params.learning_rate, e.params.find((p) => p.name === "learning_rate")!.value)
      assert.strictEqual(record.metadata.duration, (e.endTimeMillis ?? 0) - e.startTimeMillis)
      assert.strictEqual(record.metadata.start_server_timestamp, e.startTimeMillis)
      assert.strictEqual(record.metadata.user_name, e.userName)
      assert.strictEqual(record.metadata.hasImages, true)
      assert.strictEqual(record.env.hostname, e.environment.hostname)
      assert.deepStrictEqual(record.tags, e.tags)
      seen.length = 0
      const archived = (yield* Effect.flatMap(
        post("/api/rest/v2/project/query", { projectId: sweep.projectId, predicates: [tagged], archived: true }),
        (x) => x.json
      )) as { experimentKeys: Array<string> }
      assert.strictEqual(seen.length, sweep.experiments.filter((e) => e.archived).length)
      assert.deepStrictEqual(
        archived.experimentKeys,
        sweep.experiments.filter((e) => e.archived && e.tags.includes("best")).map((e) => e.experimentKey)
      )
      const hidden = yield* errorOf(
        yield* post("/api/rest/v2/project/query", {
          workspaceName: "other-user",
          projectName: "private-runs",
          predicates: []
        })
      )
      assert.strictEqual(hidden.status, 403)
      const bad = yield* errorOf(
        yield* post("/api/rest/v2/project/query", {
          workspaceName: "local-dev",
          projectName: "mnist-sweep",
          predicates: [{ source: "tag" }]
        })
      )
      assert.strictEqual(bad.status, 400)
      const columns = (yield* getJson(
        "/api/rest/v2/project/column-names?workspaceName=local-dev&projectName=mnist-sweep"
      )) as {
        columns: Array<{ name: string; source: string }>
      }
      // Every metadata column the record carries is a column the SDK can query.
      for (const name of Object.keys(record.metadata))
        assert.isTrue(
          columns.columns.some((c) => c.name === name && c.source === "metadata"),
          name
        )
    }).pipe(Effect.provide(layerClient({ dataset, evaluatePredicates })))
  })
})

describe("project/query with @comet-ts/query's evaluator (the default)", () => {
  it.effect("tags, metrics and OR groups", () =>
    Effect.gen(function* () {
      const active = sweep.experiments.filter((e) => !e.archived)
      const losses = active
        .map((e) => lastValue(e.metrics.find((s) => s.name === "loss")!) as number)
        .sort((a, b) => a - b)
      const median = losses[Math.floor(losses.length / 2)]!
      const lossBelow: Predicate = {
        source: "metrics",
        query: {
          condition: "AND",
          rules: [{ id: "loss", field: "loss", type: "double", operator: "less", value: median }],
          valid: true
        }
      }
      const run = (predicates: ReadonlyArray<Predicate>) =>
        Effect.flatMap(
          post("/api/rest/v2/project/query", {
            workspaceName: "local-dev",
            projectName: "mnist-sweep",
            predicates,
            archived: false
          }),
          (r) => r.json
        ) as Effect.Effect<{ experimentKeys: Array<string> }, unknown, never>
      const keys = (f: (e: (typeof active)[number]) => boolean) => active.filter(f).map((e) => e.experimentKey)
      const lossOf = (e: (typeof active)[number]) => lastValue(e.metrics.find((s) => s.name === "loss")!) as number
      assert.deepStrictEqual(
        (yield* run([tagged])).experimentKeys,
        keys((e) => e.tags.includes("best"))
      )
      assert.deepStrictEqual(
        (yield* run([lossBelow])).experimentKeys,
        keys((e) => lossOf(e) < median)
      )
      assert.deepStrictEqual(
        (yield* run([lossBelow, tagged])).experimentKeys,
        keys((e) => lossOf(e) < median && e.tags.includes("best"))
      )
      const either: Predicate = {
        source: "nested",
        query: {
          condition: "OR",
          rules: [
            { id: "loss", field: "loss", type: "double", operator: "less", value: median, source: "metrics" },
            { id: "best", field: "best", type: "string", operator: "equal", value: "best", source: "tag" }
          ],
          valid: true
        }
      }
      assert.deepStrictEqual(
        (yield* run([either])).experimentKeys,
        keys((e) => lossOf(e) < median || e.tags.includes("best"))
      )
    }).pipe(Effect.provide(layerClient({ dataset })))
  )
})
