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
import { guard, guardApi, readMethods, type signatures } from "./arguments.js"
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

/** Every method of the service has its argument declaration, and nothing else has one (else: a compile error). */
type Undeclared = Exclude<Exclude<keyof CometApiShape, "baseUrl">, keyof typeof signatures>
type Unknown = Exclude<keyof typeof signatures, keyof CometApiShape>
export const argumentsDeclared: [Undeclared, Unknown] extends [never, never] ? true : never = true

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
  // (guarded: an Experiment's arguments are checked as the service's are)
  const unguarded: ExperimentReads = {
    getExperimentMetadata: ctx.getExperimentMetadata,
    ...makeExperimentData(ctx),
    ...makeAssets(ctx),
    getExperimentMetricsForChart: charts.getExperimentMetricsForChart
  }
  const reads = guard(unguarded, readMethods(unguarded))
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
  // The CometApi boundary: every method checks the runtime types of its arguments first.
  return guardApi(
    {
      ...experiments.methods,
      ...reads,
      getMetricsForChart: charts.getMetricsForChart,
      ...queries.methods,
      ...panel,
      ...makeAccount(ctx),
      baseUrl: http.baseUrl
    },
    settings
  )
}
