/**
 * The panel methods — the `PanelContext`'s keys, experiments, metric names, options, project and
 * workspace — and the request report (`getPanelRequestCount`, `getPanelReport`, raw counters).
 *
 * @internal
 */
import type { CometError } from "@comet-ts/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Experiment } from "../Experiment.js"
import { type ApiContext, type ToExperiment, unique } from "./context.js"
import type { ExperimentMethods } from "./experiments.js"
import { PanelContext } from "./panelService.js"
import { formatReport } from "./report.js"
import type { CometApiShape } from "./service.js"

/** The methods this module gives `CometApi`. */
export type PanelMethods = Pick<
  CometApiShape,
  | "getPanelExperimentKeys"
  | "getPanelExperiments"
  | "getPanelMetricsNames"
  | "getPanelOptions"
  | "getPanelProjectId"
  | "getPanelProjectName"
  | "getPanelWorkspace"
  | "getPanelRequestCount"
  | "getPanelReport"
  | "getRequestStats"
  | "resetRequestStats"
>

/** What the panel methods need from the lookups and the queries. */
export interface PanelDeps {
  readonly getProjectColumns: ExperimentMethods["getProjectColumns"]
  readonly experimentsFor: (
    workspace: string,
    projectName: string,
    keys: ReadonlyArray<string>,
    archived: boolean
  ) => Effect.Effect<ReadonlyArray<Experiment>, CometError>
}

/** Build the panel methods and the request report. */
export const makePanel = (context: ApiContext, deps: PanelDeps, toExperiment: ToExperiment): PanelMethods => {
  const { stats, getExperimentMetadata } = context
  const { getProjectColumns, experimentsFor } = deps

  const panel = PanelContext

  const getPanelExperiments = () =>
    Effect.gen(function* () {
      const ctx = yield* panel
      const keys = yield* ctx.experimentKeys
      const ws = yield* Effect.option(ctx.workspace)
      const proj = yield* Effect.option(ctx.projectName)
      if (Option.isSome(ws) && Option.isSome(proj)) return yield* experimentsFor(ws.value, proj.value, keys, false)
      const metas = yield* Effect.forEach(keys, getExperimentMetadata, { concurrency: "unbounded", batching: true })
      return metas.map(toExperiment)
    })

  const getPanelMetricsNames = (options?: { readonly includeSys?: boolean | undefined }) =>
    Effect.gen(function* () {
      const ctx = yield* panel
      const columns = yield* getProjectColumns(yield* ctx.workspace, yield* ctx.projectName)
      return [
        ...unique(
          columns
            .filter((c) => c.source === "metrics")
            .map((c) => c.name)
            .filter((n) => options?.includeSys === true || !n.startsWith("sys."))
        )
      ].sort()
    })

  return {
    getPanelExperimentKeys: () => Effect.flatMap(panel, (ctx) => ctx.experimentKeys),
    getPanelExperiments,
    getPanelMetricsNames,
    getPanelOptions: () => Effect.map(panel, (ctx) => ctx.options),
    getPanelProjectId: () => Effect.flatMap(panel, (ctx) => ctx.projectId),
    getPanelProjectName: () => Effect.flatMap(panel, (ctx) => ctx.projectName),
    getPanelWorkspace: () => Effect.flatMap(panel, (ctx) => ctx.workspace),
    getPanelRequestCount: () => Effect.map(stats.snapshot, (s) => s.attempts),
    getPanelReport: () => Effect.map(stats.snapshot, formatReport),
    getRequestStats: () => stats.snapshot,
    resetRequestStats: () => stats.reset
  }
}
