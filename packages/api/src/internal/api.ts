/**
 * The implementation of `CometApi` over `CometHttp`, assembled: the shared context
 * (`context.ts`), then one module per concern — experiments and name resolution, per-experiment
 * data, assets and models, charts, queries, the panel, the account.
 *
 * @internal
 */
import type { CometHttpShape, RequestStatsShape } from "@comet-ts/http"
import type * as Scope from "effect/Scope"
import { Experiment } from "../Experiment.js"
import { makeAccount } from "./account.js"
import { makeAssets } from "./assets.js"
import { makeCharts } from "./charts.js"
import { makeContext, type ToExperiment } from "./context.js"
import { makeExperimentData } from "./experimentData.js"
import type { ExperimentReads } from "./experimentReads.js"
import { makeExperiments } from "./experiments.js"
import type { CometApiSettings } from "./options.js"
import { makePanel } from "./panel.js"
import { makeQueries } from "./queries.js"
import type { CometApiShape } from "./service.js"

/** @internal */
export const makeCometApi = (
  http: CometHttpShape,
  stats: RequestStatsShape,
  settings: CometApiSettings,
  scope: Scope.Scope
): CometApiShape => {
  const ctx = makeContext(http, stats, settings, scope)
  const charts = makeCharts(ctx)
  // What every Experiment reads through: the per-experiment methods, built before any Experiment.
  const reads: ExperimentReads = {
    getExperimentMetadata: ctx.getExperimentMetadata,
    ...makeExperimentData(ctx),
    ...makeAssets(ctx),
    getExperimentMetricsForChart: charts.getExperimentMetricsForChart
  }
  const toExperiment: ToExperiment = (m) => new Experiment(m, reads, http.baseUrl)
  const experiments = makeExperiments(ctx, toExperiment)
  const queries = makeQueries(
    ctx,
    { listExperiments: experiments.listExperiments, getProjectColumns: experiments.methods.getProjectColumns },
    toExperiment
  )
  const panel = makePanel(
    ctx,
    { getProjectColumns: experiments.methods.getProjectColumns, experimentsFor: queries.experimentsFor },
    toExperiment
  )
  return {
    ...experiments.methods,
    ...reads,
    getMetricsForChart: charts.getMetricsForChart,
    ...queries.methods,
    ...panel,
    ...makeAccount(ctx),
    baseUrl: http.baseUrl
  }
}
