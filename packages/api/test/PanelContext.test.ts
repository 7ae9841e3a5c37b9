import { ConfigurationError, InvalidArgument } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { Tag } from "@comet-ts/query"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { API, CometApi, Panel, type PanelContext, Testing } from "../src/index.js"

const dataset = Emulator.generate({ size: "small", seed: 5 })
const ws = dataset.workspaces[0]!
const project = ws.projects[0]!
const live = project.experiments.filter((e) => !e.archived)
const someTag = live.flatMap((e) => e.tags).find((t) => t !== "sweep") ?? "sweep"
const ApiLive = Testing.layerClient(Emulator.layerClient({ dataset }))

const withPanel = <A, E>(
  panel: Layer.Layer<PanelContext, E, CometApi>,
  eff: Effect.Effect<A, E, CometApi | PanelContext>
) => eff.pipe(Effect.provide(Layer.provideMerge(panel, ApiLive)))

describe("PanelContext layers", () => {
  it.effect("from a project: all its experiments, the project id looked up", () =>
    withPanel(
      Panel.layerFromProject(ws.name, project.projectName),
      Effect.gen(function* () {
        const api = yield* CometApi
        const keys = yield* api.getPanelExperimentKeys()
        assert.deepStrictEqual([...keys].sort(), live.map((e) => e.experimentKey).sort())
        assert.strictEqual(yield* api.getPanelProjectId(), project.projectId)
        const experiments = yield* api.getPanelExperiments()
        assert.deepStrictEqual(
          experiments.map((e) => e.key),
          keys
        )
      })
    )
  )

  it.effect("from a project and a query: the matching experiments", () =>
    withPanel(
      Panel.layerFromProject(ws.name, project.projectName, Tag(someTag)),
      Effect.gen(function* () {
        const api = yield* CometApi
        const keys = yield* api.getPanelExperimentKeys()
        assert.deepStrictEqual(
          [...keys].sort(),
          live
            .filter((e) => e.tags.includes(someTag))
            .map((e) => e.experimentKey)
            .sort()
        )
        assert.isAbove(keys.length, 0)
      })
    )
  )

  it.effect("explicit keys cost one list call for the experiments, not one call per key", () =>
    Effect.gen(function* () {
      const api = yield* CometApi
      const server = yield* Emulator.Emulator
      yield* server.stats.reset
      const keys = live.slice(0, 6).map((e) => e.experimentKey)
      const experiments = yield* api
        .getPanelExperiments()
        .pipe(
          Effect.provide(
            Panel.layerTest({ experimentKeys: keys, workspace: ws.name, projectName: project.projectName })
          )
        )
      assert.deepStrictEqual(
        experiments.map((e) => e.key),
        keys
      )
      const seen = yield* server.stats.snapshot
      assert.strictEqual(seen.requests, 1)
      // Without a project, one metadata request per key.
      yield* server.stats.reset
      const again = yield* api.getPanelExperiments().pipe(Effect.provide(Panel.layerTest({ experimentKeys: keys })))
      assert.deepStrictEqual(
        again.map((e) => e.key),
        keys
      )
      assert.strictEqual((yield* server.stats.snapshot).requests, keys.length)
    }).pipe(Effect.provide(ApiLive))
  )

  it.effect("from the environment, as the Python SDK reads it", () =>
    Effect.gen(function* () {
      const env: Record<string, string> = {
        COMET_EXPERIMENT_KEYS: '["k1","k2"]',
        COMET_PANEL_OPTIONS: '{"instanceId":"x","threshold":0.5}',
        COMET_WORKSPACE: "ws",
        COMET_PROJECT_NAME: "proj"
      }
      const values = yield* Panel.valuesFromEnv(
        (n) => env[n],
        () => undefined
      )
      assert.deepStrictEqual(values, {
        experimentKeys: ["k1", "k2"],
        options: { instanceId: "x", threshold: 0.5 },
        workspace: "ws",
        projectName: "proj",
        projectId: undefined
      })
      const comma = yield* Panel.valuesFromEnv(
        (n) => (n === "COMET_EXPERIMENT_KEYS" ? "a, b,,c" : undefined),
        () => undefined
      )
      assert.deepStrictEqual(comma?.experimentKeys, ["a", "b", "c"])
      const none = yield* Panel.valuesFromEnv(
        () => undefined,
        () => undefined
      )
      assert.isUndefined(none)
      const file = yield* Panel.valuesFromEnv(
        (n) => (n === "COMET_PANEL_CONTEXT" ? "/panel.json" : undefined),
        (p) =>
          p === "/panel.json"
            ? '{"experimentKeys":["z"],"workspace":"w","projectName":"p","query":"Tag(\\"best\\")"}'
            : undefined
      )
      assert.deepStrictEqual(file?.experimentKeys, ["z"])
      assert.strictEqual(file?.query, 'Tag("best")')
      const bad = yield* Effect.flip(
        Panel.valuesFromEnv(
          (n) => (n === "COMET_PANEL_OPTIONS" ? "{not json" : undefined),
          () => undefined
        )
      )
      assert.instanceOf(bad, InvalidArgument)
      const missing = yield* Effect.flip(
        Panel.valuesFromEnv(
          (n) => (n === "COMET_PANEL_CONTEXT" ? "/nope.json" : undefined),
          () => undefined
        )
      )
      assert.instanceOf(missing, ConfigurationError)
    })
  )

  it.effect("a context without a project says what is missing", () =>
    Effect.gen(function* () {
      const api = yield* CometApi
      const error = yield* Effect.flip(
        api.getPanelMetricsNames().pipe(Effect.provide(Panel.layerTest({ experimentKeys: ["k"] })))
      )
      assert.instanceOf(error, ConfigurationError)
      assert.include(error.message, "workspace")
    }).pipe(Effect.provide(ApiLive))
  )
})

describe("a missing panel context", () => {
  it("is a compile-time requirement in Effect code", () => {
    type Requirements<T> = T extends Effect.Effect<unknown, unknown, infer R> ? R : never
    type PanelMethod = ReturnType<CometApi["Type"]["getPanelExperimentKeys"]>
    const needsPanel: [Requirements<PanelMethod>] extends [PanelContext] ? true : false = true
    type PlainMethod = ReturnType<CometApi["Type"]["getWorkspaces"]>
    const needsNothing: [Requirements<PlainMethod>] extends [never] ? true : false = true
    assert.isTrue(needsPanel && needsNothing)
  })

  it("is a typed rejection in the facade", async () => {
    const api = new API({
      apiKey: "local-dev-key",
      baseUrl: "http://127.0.0.1:4820",
      httpClient: Emulator.layerClient({ dataset }).pipe(Layer.orDie),
      panel: false
    })
    try {
      const error = await api.getPanelWorkspace().catch((e: unknown) => e)
      assert.instanceOf(error, ConfigurationError)
      assert.strictEqual((error as ConfigurationError).setting, "panel")
      // Other calls still work.
      assert.isAbove((await api.getWorkspaces()).length, 0)
    } finally {
      await api.close()
    }
  })

  it("the facade reads the panel from a JSON file", async () => {
    const files: Record<string, string> = {
      "/panel.json": JSON.stringify({ workspace: ws.name, projectName: project.projectName, options: { a: 1 } })
    }
    const api = new API({
      apiKey: "local-dev-key",
      baseUrl: "http://127.0.0.1:4820",
      httpClient: Emulator.layerClient({ dataset }).pipe(Layer.orDie),
      panel: { file: "/panel.json" },
      sources: {
        env: () => undefined,
        readFile: (p) => files[p],
        isDirectory: () => false,
        cwd: undefined,
        home: undefined
      }
    })
    try {
      assert.deepStrictEqual(await api.getPanelOptions(), { a: 1 })
      assert.strictEqual(await api.getPanelProjectId(), project.projectId)
      assert.strictEqual((await api.getPanelExperimentKeys()).length, live.length)
    } finally {
      await api.close()
    }
  })
})

describe("one runtime per facade instance", () => {
  it("every call shares one concurrency limit and one set of counters", async () => {
    const layer = Emulator.layerClient({ dataset, latency: 5 })
    const api = new API({
      apiKey: "local-dev-key",
      baseUrl: "http://127.0.0.1:4820",
      httpClient: layer.pipe(Layer.orDie),
      maxConcurrency: 3,
      panel: false
    })
    try {
      const keys = live.map((e) => e.experimentKey)
      await Promise.all(keys.map((k) => api.getExperimentTags(k)))
      const stats = await api.getRequestStats()
      assert.strictEqual(stats.attempts, keys.length)
      assert.isAtMost(stats.maxInFlight, 3)
      assert.strictEqual(await api.getPanelRequestCount(), keys.length)
    } finally {
      await api.close()
    }
  })
})
