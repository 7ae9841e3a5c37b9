import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { loadDataset } from "../src/Dataset.js"
import { layerClient } from "../src/Emulator.js"
import { generate } from "../src/Generator.js"
import { getJson, KEY, post } from "./util.js"

// The real Comet responses recorded by the R SDK's tests (copied into core's fixtures).
const recordedDir = join(import.meta.dirname, "..", "..", "core", "test", "fixtures", "recorded")
const recorded = (name: string): unknown => JSON.parse(readFileSync(join(recordedDir, name), "utf8"))

type Shape = string | { readonly array: Shape | null } | { readonly object: Readonly<Record<string, Shape>> }

const shapeOf = (v: unknown): Shape => {
  if (v === null) return "null"
  if (Array.isArray(v)) return { array: v.length === 0 ? null : shapeOf(v[0]) }
  if (typeof v === "object") return { object: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shapeOf(x)])) }
  return typeof v
}

/**
 * Same keys and JSON types, recursively (every element of an array against the recorded first
 * one). With `nullMatchesAny`, a null on either side matches any type (the key must still be
 * there): for generated data, whose nullable fields are often filled.
 */
const sameShape = (actual: unknown, expected: unknown, path: string, nullMatchesAny: boolean): void => {
  if (nullMatchesAny && (actual === null || expected === null)) return
  if (Array.isArray(expected)) {
    assert.isTrue(Array.isArray(actual), `${path}: expected an array`)
    if (expected.length === 0) return
    for (const [i, a] of (actual as Array<unknown>).entries())
      sameShape(a, expected[0], `${path}[${i}]`, nullMatchesAny)
    return
  }
  if (expected !== null && typeof expected === "object") {
    assert.isTrue(
      actual !== null && typeof actual === "object" && !Array.isArray(actual),
      `${path}: expected an object`
    )
    assert.deepStrictEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path}: keys`)
    for (const [k, e] of Object.entries(expected))
      sameShape((actual as Record<string, unknown>)[k], e, `${path}.${k}`, nullMatchesAny)
    return
  }
  assert.strictEqual(shapeOf(actual), shapeOf(expected), `${path}: JSON type`)
}

const requests = (ws: string, project: string, projectId: string) =>
  [
    ["workspaces.json", getJson("/api/rest/v2/workspaces")],
    ["projects-dafb61.json", getJson(`/api/rest/v2/projects?workspaceName=${ws}`)],
    ["experiments-1280bb.json", getJson(`/api/rest/v2/experiments?projectId=${projectId}`)],
    ["project_column-names-1280bb.json", getJson(`/api/rest/v2/project/column-names?projectId=${projectId}`)],
    [
      "project_column-names-4ec64e.json",
      getJson(`/api/rest/v2/project/column-names?workspaceName=${ws}&projectName=${project}`)
    ],
    [
      "experiments_multi-metric-chart-df83ef-POST.json",
      Effect.flatMap(
        post("/api/rest/v2/experiments/multi-metric-chart", {
          targetedExperiments: ["c352827bcdcb45e3ad40d0decec0b43c"],
          metrics: [],
          params: [],
          independentMetrics: true,
          fetchFull: true
        }),
        (r) => r.json
      )
    ]
  ] as const

describe("the emulator's answers have the shape of recorded Comet responses", () => {
  it.effect("a dataset like the recorded project: same keys and JSON types, nulls included", () =>
    Effect.gen(function* () {
      const dataset = yield* loadDataset(join(import.meta.dirname, "fixtures", "recorded-like.json"))
      yield* Effect.gen(function* () {
        for (const [file, request] of requests(
          "testuser-cometr",
          "cometrtestproject",
          "ebfbbc1212004f92b618d50db41f27f3"
        )) {
          const answer = yield* request
          sameShape(answer, recorded(file), file, false)
        }
        // With data like the recorded project's, the answers are the recorded ones.
        assert.deepStrictEqual(yield* getJson("/api/rest/v2/workspaces"), recorded("workspaces.json"))
        assert.deepStrictEqual(
          yield* getJson("/api/rest/v2/projects?workspaceName=testuser-cometr"),
          recorded("projects-dafb61.json")
        )
        assert.deepStrictEqual(
          yield* getJson("/api/rest/v2/experiments?projectId=ebfbbc1212004f92b618d50db41f27f3"),
          recorded("experiments-1280bb.json")
        )
        assert.deepStrictEqual(
          yield* getJson("/api/rest/v2/project/column-names?projectId=ebfbbc1212004f92b618d50db41f27f3"),
          recorded("project_column-names-1280bb.json")
        )
      }).pipe(Effect.provide(layerClient({ dataset, apiKey: KEY })))
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("the generated dataset: same keys, same JSON types wherever neither side is null", () =>
    Effect.gen(function* () {
      const dataset = generate({ size: "small", seed: 5 })
      const sweep = dataset.workspaces[0]!.projects[0]!
      for (const [file, request] of requests("local-dev", sweep.projectName, sweep.projectId)) {
        const answer = yield* request
        sameShape(answer, recorded(file), file, true)
      }
    }).pipe(Effect.provide(layerClient({ seed: 5 })))
  )
})
