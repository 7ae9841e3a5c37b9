// The README's quickstart, kept here so `pnpm check` type-checks it. Not run by the demo.
import { CometApi, CometApiLayer } from "@comet-ts/api"
import { CometConfig } from "@comet-ts/core"
import { layerConfig as CometHttpLive } from "@comet-ts/http"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer } from "effect"

const program = Effect.gen(function* () {
  const api = yield* CometApi
  const experiments = yield* api.getExperiments("my-workspace", "my-project")
  // Chart calls made together are merged into few multi-metric-chart requests; with batching
  // on, identical metadata lookups in the same batch are made once.
  return yield* Effect.forEach(experiments, (e) => e.getMetricsForChart(["loss"]), {
    concurrency: "unbounded",
    batching: true
  })
})

const Live = CometApiLayer.layerConfig.pipe(
  Layer.provideMerge(CometHttpLive),
  Layer.provide(CometConfig.layer({ maxConcurrency: 16 })),
  Layer.provide(FetchHttpClient.layer)
)

Effect.runPromise(program.pipe(Effect.provide(Live)))
