/**
 * The option bags of the Effect entries of @comet-ts/api — `CometApiLayer.make` / `layer` /
 * `layerConfigWith(settings)`, `Panel.make` / `Panel.layer(values)` and `Chart.stream(…,
 * options)` — refuse a misspelt, unknown, inherited or symbol name and a bag that is no
 * options object, as a typed error naming it and the one meant, instead of dropping it.
 */
import { CometConfig } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import * as Http from "@comet-ts/http"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Stream } from "effect"
import * as fc from "fast-check"
import { Chart, CometApi, CometApiLayer, Panel, PanelContext, Testing } from "../src/index.js"
import { Capture, emulator, ORIGIN, SECRET } from "./support/facade.js"

const emu = emulator({ seed: 1 })
const http = Http.layer({ apiKey: SECRET, baseUrl: ORIGIN, maxRetries: 0 }).pipe(
  Layer.provide(new Capture().client(emu.fetch))
)

/** The failure of building `layer` (over the emulator's transport): its tag and message. */
const failure = <A, E>(layer: Layer.Layer<A, E, never>) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(Effect.scoped(Layer.build(layer)))
    if (Exit.isSuccess(exit)) return assert.fail("built")
    const e = exit.cause._tag === "Fail" ? (exit.cause.error as { _tag: string; message: string }) : undefined
    assert.isDefined(e, String(exit.cause))
    return e as { readonly _tag: string; readonly message: string }
  })

describe("CometApi settings", () => {
  it.effect("layer and layerConfigWith refuse a misspelt setting, naming the one meant; a wrong type too", () =>
    Effect.gen(function* () {
      const config = CometConfig.layer({ apiKey: SECRET, baseUrl: ORIGIN, sources: CometConfig.staticSources({}) })
      for (const [layer, text] of [
        [
          CometApiLayer.layer({ chartChunkSiz: 5 } as never),
          "chartChunkSiz: is not an option of CometApi.layer (did you mean chartChunkSize?)"
        ],
        [
          CometApiLayer.layer({ orstrategy: "dnf" } as never),
          "orstrategy: is not an option of CometApi.layer (did you mean orStrategy?)"
        ],
        [CometApiLayer.layer(new Map([["orStrategy", "dnf"]]) as never), "settings: must be a plain object of options"],
        [
          CometApiLayer.layer({ [Symbol("workspace")]: "w" } as never),
          "Symbol(workspace): is not an option of CometApi.layer"
        ],
        [CometApiLayer.layer({ chartChunkSize: 0 }), "chartChunkSize: must be a positive integer"],
        [CometApiLayer.layer({ orStrategy: "or" as never }), 'orStrategy: must be "nested" or "dnf"'],
        [
          CometApiLayer.layer({ columnsTtlMillis: -1 }),
          "columnsTtlMillis: must be a number of ms (0 or more), not the number -1."
        ],
        [
          CometApiLayer.layer({ columnsTtlMillis: Number.NaN }),
          "columnsTtlMillis: must be a number of ms (0 or more), not the number NaN."
        ],
        [
          CometApiLayer.layerConfigWith({ workspace: "w" } as never).pipe(Layer.provide(config)),
          "workspace: is not an option of CometApi.layerConfigWith"
        ]
      ] as const) {
        const e = yield* failure(
          Layer.provide(layer as Layer.Layer<CometApi, unknown, Http.CometHttp | Http.RequestStats>, http)
        )
        assert.strictEqual(e._tag, "ConfigurationError", e.message)
        assert.include(e.message, `Configuration problem with ${text}`)
      }
    })
  )

  it.effect("every declared setting passes, and any other name is refused (property)", () =>
    Effect.gen(function* () {
      const ok = yield* Effect.scoped(
        Effect.flatMap(
          Layer.build(
            Layer.provide(
              CometApiLayer.layer({
                workspace: "w",
                projectName: "p",
                chartChunkSize: 5,
                orStrategy: "dnf",
                columnsTtlMillis: 0
              }),
              http
            )
          ),
          () => Effect.succeed(true)
        )
      )
      assert.isTrue(ok)
      const known = new Set([
        "workspace",
        "projectName",
        "chartChunkSize",
        "orStrategy",
        "columnsTtlMillis",
        "__proto__"
      ])
      for (const name of fc.sample(
        fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !known.has(k)),
        25
      )) {
        const e = yield* failure(Layer.provide(CometApiLayer.layer({ [name]: 1 } as never), http))
        assert.include(e.message, "is not an option of CometApi.layer")
      }
    })
  )
})

describe("Testing.layerClient options", () => {
  it.effect("a misspelt option is refused (the key would go to the default server); the declared ones pass", () =>
    Effect.gen(function* () {
      const e = yield* failure(
        Testing.layerClient(Emulator.layerClient({ apiKey: SECRET }), { apiKey: SECRET, baseURL: ORIGIN } as never)
      )
      assert.strictEqual(e._tag, "ConfigurationError")
      assert.include(e.message, "Configuration problem with baseURL: is not an option of Testing.layerClient")
      assert.include(e.message, "(did you mean baseUrl?)")
      const workspaces = yield* Effect.flatMap(CometApi, (api) => api.getWorkspaces()).pipe(
        Effect.provide(
          Testing.layerClient(Emulator.layerClient({ apiKey: SECRET }), {
            apiKey: SECRET,
            baseUrl: ORIGIN,
            maxRetries: 0,
            maxConcurrency: 2,
            chartChunkSize: 3,
            http: { retryBudget: "1 minute" }
          })
        )
      )
      assert.isAbove(workspaces.length, 0)
    })
  )
})

describe("panel values", () => {
  it.effect("Panel.layer refuses a misspelt value (it would be dropped and derived otherwise)", () =>
    Effect.gen(function* () {
      const api = Layer.provide(CometApiLayer.layer(), http)
      for (const [values, text] of [
        [
          { workspace: "w", projectNme: "p" },
          "panel.projectNme: is not an option of the panel values (did you mean projectName?)"
        ],
        [
          { experimentkeys: ["k"] },
          "panel.experimentkeys: is not an option of the panel values (did you mean experimentKeys?)"
        ],
        [new Map([["workspace", "w"]]), "panel: must be a plain object of options"],
        [Object.create({ workspace: "w" }), "panel.workspace: is inherited"]
      ] as const) {
        const e = yield* failure(Layer.provide(Panel.layer(values as never), api))
        assert.strictEqual(e._tag, "ConfigurationError")
        assert.include(e.message, `Configuration problem with ${text}`)
      }
      const ws = emu.dataset.workspaces[0]!
      const keys = yield* Effect.scoped(
        Effect.flatMap(
          Layer.build(Layer.provide(Panel.layer({ workspace: ws.name, experimentKeys: ["a", "b"] }), api)),
          (ctx) => Effect.flatMap(Effect.provide(PanelContext, ctx), (p) => p.experimentKeys)
        )
      )
      assert.deepStrictEqual(keys, ["a", "b"])
    })
  )
})

describe("Chart.stream options", () => {
  it.effect("a misspelt option fails the stream with an InvalidArgument naming the one meant", () =>
    Effect.gen(function* () {
      const api = Layer.provide(CometApiLayer.layer(), http)
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      for (const [options, argument, detail] of [
        [{ chunksize: 5 }, "options.chunksize", "(did you mean chunkSize?)"],
        [{ full: true }, "options.full", "(did you mean fetchFull?)"],
        [new Set(["fetchFull"]), "options", "a Set"]
      ] as const) {
        const exit = yield* Effect.exit(
          Stream.runCollect(Chart.stream([exp.experimentKey], ["loss"], [], options as never)).pipe(Effect.provide(api))
        )
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) {
          assert.include(String(exit.cause), "InvalidArgument")
          assert.include(String(exit.cause), `Invalid ${argument}`)
          assert.include(String(exit.cause), detail)
        }
      }
      const chunks = yield* Stream.runCollect(
        Chart.stream([exp.experimentKey], ["loss"], [], { chunkSize: 1, concurrency: 1, fetchFull: false })
      ).pipe(Effect.provide(api))
      assert.strictEqual(chunks.length, 1)
    })
  )
})
