/**
 * `Panel.layerTest(values)` from plain JavaScript: a misspelt (`experimentKey`), unknown,
 * inherited or symbol name, values that are no object of values and a value of the wrong type
 * (`experimentKeys: "k"`, none) give a context whose keys, project and workspace fail with the
 * ConfigurationError naming it — the layer's type stays `Layer<PanelContext>` — never a context
 * built from what was dropped (`experimentKeys` read as absent, a string read as its letters).
 */
import { ConfigurationError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Panel, PanelContext } from "../src/index.js"

const failure = (values: unknown) =>
  Effect.gen(function* () {
    const panel = yield* PanelContext
    const keys = yield* Effect.flip(panel.experimentKeys)
    const workspace = yield* Effect.flip(panel.workspace)
    assert.instanceOf(keys, ConfigurationError)
    assert.strictEqual(workspace, keys)
    return keys as ConfigurationError
  }).pipe(Effect.provide(Panel.layerTest(values as never)))

describe("Panel.layerTest values", () => {
  it.effect("a misspelt or unknown name is the ConfigurationError naming it and the one meant", () =>
    Effect.gen(function* () {
      const misspelt = yield* failure({ experimentKey: ["a"] })
      assert.strictEqual(misspelt.setting, "panel.experimentKey")
      assert.include(misspelt.message, "(did you mean experimentKeys?)")
      assert.strictEqual((yield* failure({ experimentKeys: ["a"], project_name: "p" })).setting, "panel.project_name")
      // query is Panel.layer's, not layerTest's: a test context does no lookups
      assert.strictEqual((yield* failure({ experimentKeys: ["a"], query: "Tag('x')" })).setting, "panel.query")
      assert.strictEqual((yield* failure(new Map([["experimentKeys", ["a"]]]))).setting, "panel")
      assert.strictEqual(
        (yield* failure({ experimentKeys: ["a"], [Symbol("workspace")]: "w" })).setting,
        "panel.Symbol(workspace)"
      )
      assert.strictEqual((yield* failure(Object.create({ experimentKeys: ["a"] }))).setting, "panel.experimentKeys")
    })
  )

  it.effect("a value of the wrong type is refused, not used", () =>
    Effect.gen(function* () {
      for (const [values, setting] of [
        [{ experimentKeys: "abc" }, "panel.experimentKeys"],
        [{ experimentKeys: [1] }, "panel.experimentKeys[0]"],
        [{}, "panel.experimentKeys"],
        [undefined, "panel.experimentKeys"],
        [{ experimentKeys: [], workspace: 3 }, "panel.workspace"],
        [{ experimentKeys: [], options: "x" }, "panel.options"]
      ] as const) {
        const e = yield* failure(values)
        assert.strictEqual(e.setting, setting, JSON.stringify(values))
        assert.include(e.message, "must be")
      }
    })
  )

  it.effect("the declared values still work; null reads as not given", () =>
    Effect.gen(function* () {
      const panel = yield* PanelContext
      assert.deepStrictEqual(yield* panel.experimentKeys, ["a", "b"])
      assert.strictEqual(yield* panel.workspace, "ws")
      assert.deepStrictEqual(panel.options, { x: 1 })
      assert.instanceOf(yield* Effect.flip(panel.projectName), ConfigurationError)
    }).pipe(
      Effect.provide(
        Panel.layerTest({ experimentKeys: ["a", "b"], workspace: "ws", options: { x: 1 }, projectName: null } as never)
      )
    )
  )
})
