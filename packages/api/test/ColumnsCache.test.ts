import { QueryError } from "@comet-ts/core"
import { Metric, Tag } from "@comet-ts/query"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { CometApi, Testing } from "../src/index.js"
import { COLUMNS_KEPT } from "../src/internal/queries.js"
import { Fake, summary } from "./support/fake.js"

const column = (name: string, source = "metrics", type = "double") => ({ name, id: `${name}--${source}`, type, source })

/** A project whose columns grow: `acc` appears from the second column-names request on. */
const growingProject = () => {
  let columnCalls = 0
  const fake = new Fake((req) => {
    switch (req.endpoint) {
      case "project/column-names":
        columnCalls++
        return { json: { columns: columnCalls === 1 ? [column("loss")] : [column("loss"), column("acc")] } }
      case "project/query":
        return { json: { experimentKeys: [summary(1).experimentKey] } }
      case "experiments":
        return { json: { experiments: [summary(1)] } }
      default:
        return { status: 404, json: { msg: "no" } }
    }
  })
  return fake
}

describe("queries keep a project's columns", () => {
  it.effect("a second query does not fetch the columns again", () =>
    Effect.gen(function* () {
      const fake = growingProject()
      yield* Effect.gen(function* () {
        const api = yield* CometApi
        yield* api.query("ws", "proj", Metric("loss").lt(1))
        yield* api.query("ws", "proj", Metric("loss").lt(0.5))
        yield* api.queryProject("ws", "proj", Tag("best"))
      }).pipe(Effect.provide(Testing.layerClient(fake.layer)))
      assert.strictEqual(fake.count("project/column-names"), 1)
      assert.strictEqual(fake.count("project/query"), 3)
    })
  )

  it.effect("a column the kept list lacks is fetched again, so new columns are never missed", () =>
    Effect.gen(function* () {
      const fake = growingProject()
      const result = yield* Effect.gen(function* () {
        const api = yield* CometApi
        yield* api.query("ws", "proj", Metric("loss").lt(1))
        return yield* api.query("ws", "proj", Metric("acc").gt(0.5))
      }).pipe(Effect.provide(Testing.layerClient(fake.layer)))
      assert.strictEqual(result.length, 1)
      assert.strictEqual(fake.count("project/column-names"), 2)
      const sent = fake.seen.filter((s) => s.endpoint === "project/query").at(-1)?.body as {
        predicates: Array<{ query: { rules: Array<unknown> } }>
      }
      assert.deepStrictEqual(sent.predicates[0]?.query.rules[0], {
        id: "acc",
        field: "acc",
        type: "double",
        operator: "greater",
        value: 0.5
      })
    })
  )

  it.effect("a column that does not exist at all is still a QueryError, after one fresh look", () =>
    Effect.gen(function* () {
      const fake = growingProject()
      const error = yield* Effect.gen(function* () {
        const api = yield* CometApi
        yield* api.query("ws", "proj", Metric("loss").lt(1))
        return yield* Effect.flip(api.query("ws", "proj", Metric("nope").gt(0)))
      }).pipe(Effect.provide(Testing.layerClient(fake.layer)))
      assert.instanceOf(error, QueryError)
      assert.include(error.message, "nope")
      assert.strictEqual(fake.count("project/column-names"), 2)
      assert.strictEqual(fake.count("project/query"), 1)
    })
  )

  it.effect("kept columns expire after columnsTtlMillis", () =>
    Effect.gen(function* () {
      const fake = growingProject()
      yield* Effect.gen(function* () {
        const api = yield* CometApi
        yield* api.query("ws", "proj", Metric("loss").lt(1))
        yield* TestClock.adjust("299 seconds")
        yield* api.query("ws", "proj", Metric("loss").lt(1))
        assert.strictEqual(fake.count("project/column-names"), 1)
        yield* TestClock.adjust("2 seconds")
        yield* api.query("ws", "proj", Metric("loss").lt(1))
        assert.strictEqual(fake.count("project/column-names"), 2)
      }).pipe(Effect.provide(Testing.layerClient(fake.layer)))
    })
  )

  it.effect("columnsTtlMillis: 0 fetches them for every query", () =>
    Effect.gen(function* () {
      const fake = growingProject()
      yield* Effect.gen(function* () {
        const api = yield* CometApi
        yield* api.query("ws", "proj", Metric("loss").lt(1))
        yield* api.query("ws", "proj", Metric("loss").lt(1))
      }).pipe(Effect.provide(Testing.layerClient(fake.layer, { columnsTtlMillis: 0 })))
      assert.strictEqual(fake.count("project/column-names"), 2)
    })
  )
})

describe("the kept columns stay bounded in a long-running process", () => {
  /** A workspace of many projects, each with its own columns. */
  const manyProjects = () =>
    new Fake((req) => {
      switch (req.endpoint) {
        case "project/column-names":
          return { json: { columns: [column("loss")] } }
        case "project/query":
          return { json: { experimentKeys: [] } }
        default:
          return { status: 404, json: { msg: "no" } }
      }
    })

  it.effect(
    `past ${COLUMNS_KEPT} projects, the columns fetched first are dropped (and fetched again when queried)`,
    () =>
      Effect.gen(function* () {
        const fake = manyProjects()
        yield* Effect.gen(function* () {
          const api = yield* CometApi
          for (let i = 0; i <= COLUMNS_KEPT; i++) yield* api.query("ws", `p${i}`, Metric("loss").lt(1))
          // the last COLUMNS_KEPT are kept: no request
          yield* api.query("ws", `p${COLUMNS_KEPT}`, Metric("loss").lt(1))
          yield* api.query("ws", "p1", Metric("loss").lt(1))
          assert.strictEqual(fake.count("project/column-names"), COLUMNS_KEPT + 1)
          // the first was dropped
          yield* api.query("ws", "p0", Metric("loss").lt(1))
          assert.strictEqual(fake.count("project/column-names"), COLUMNS_KEPT + 2)
        }).pipe(Effect.provide(Testing.layerClient(fake.layer)))
      })
  )
})
