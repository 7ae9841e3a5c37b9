/**
 * Chart data of many experiments (`experiments/multi-metric-chart`): key lists split into
 * chunks fetched concurrently and merged exactly, and per-experiment calls made together
 * gathered in one window per request shape and sent as one chunked fetch.
 *
 * @internal
 */
import { type ChartExperiment, type CometError, InvalidArgument, MetricsChartResponse } from "@comet-ts/core"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { chartChunkSize } from "./chartChunks.js"
import { type ApiContext, unique } from "./context.js"
import { chartExperiments } from "./entity.js"
import type { ChartOptions } from "./options.js"
import { required } from "./paths.js"
import type { CometApiShape } from "./service.js"

/** What one chart request asks for, besides the experiments. */
interface ChartSpec {
  readonly metrics: ReadonlyArray<string>
  readonly params: ReadonlyArray<string> | null
  readonly independent: boolean
  readonly full: boolean
}

const specKey = (s: ChartSpec) => JSON.stringify([s.metrics, s.params, s.independent, s.full])

/** One waiting per-experiment chart call. */
interface ChartWaiter {
  readonly key: string
  readonly deferred: Deferred.Deferred<ChartExperiment | null, CometError>
}

/** The per-experiment chart calls of one request shape gathered in one turn, and their fetch. */
interface ChartWindow {
  readonly spec: ChartSpec
  /** The calls still waiting (an interrupted one leaves). */
  readonly waiters: Array<ChartWaiter>
  /** The fiber that flushes the window: it gathers, then fetches. */
  fiber: Fiber.RuntimeFiber<void> | null
  /** Its fetch is under way (the window no longer takes calls). */
  fetching: boolean
}

const chunk = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** The methods this module gives `CometApi`. */
export type ChartMethods = Pick<CometApiShape, "getMetricsForChart" | "getExperimentMetricsForChart">

/** Build the chart reads; their windows flush in fibers forked in the context's scope. */
export const makeCharts = (ctx: ApiContext): ChartMethods => {
  const { http, settings, scope } = ctx

  const chunkSizeFor = (spec: ChartSpec): number =>
    settings.chartChunkSize ?? chartChunkSize(spec.metrics.length, spec.full)

  /** Fetch chart data for keys: chunks concurrently, merged exactly; a failed chunk fails the whole. */
  const fetchChart = (
    keys: ReadonlyArray<string>,
    spec: ChartSpec,
    onProgress?: (done: number, total: number) => void
  ): Effect.Effect<Record<string, ChartExperiment>, CometError> =>
    Effect.gen(function* () {
      const all = unique(keys)
      if (all.length === 0 || spec.metrics.length === 0) return {}
      let done = 0
      const responses = yield* Effect.forEach(
        chunk(all, chunkSizeFor(spec)),
        (ks) =>
          http
            .post(
              "experiments/multi-metric-chart",
              {
                targetedExperiments: ks,
                metrics: spec.metrics,
                params: spec.params,
                independentMetrics: spec.independent,
                fetchFull: spec.full
              },
              MetricsChartResponse,
              { readOnly: true }
            )
            .pipe(
              Effect.flatMap((r) => chartExperiments("experiments/multi-metric-chart", new Set(ks), r.experiments)),
              Effect.tap(() =>
                Effect.sync(() => {
                  done += ks.length
                  onProgress?.(done, all.length)
                })
              )
            ),
        { concurrency: "unbounded" }
      )
      // Each chunk's answer holds only keys of that chunk (checked above): the merge adds nothing else.
      const merged: Record<string, ChartExperiment> = {}
      for (const r of responses) for (const [k, e] of Object.entries(r)) merged[k] = e
      return merged
    })

  /**
   * Per-experiment chart calls made in the same turn — concurrent fibers, or `Promise.all` over
   * the facade — wait in one window per request shape and go out as one chunked fetch. The
   * window closes once every fiber already scheduled has run (a few scheduler yields, no timer).
   */
  const chartWindows = new Map<string, ChartWindow>()

  const flushChartWindow = (group: string, window: ChartWindow) =>
    Effect.gen(function* () {
      yield* Effect.yieldNow()
      yield* Effect.yieldNow()
      if (chartWindows.get(group) === window) chartWindows.delete(group)
      // every call of the window was interrupted while it gathered: nothing to fetch
      if (window.waiters.length === 0) return
      window.fetching = true
      const exit = yield* Effect.exit(
        fetchChart(
          window.waiters.map((w) => w.key),
          window.spec
        )
      )
      for (const w of window.waiters) {
        yield* Deferred.done(
          w.deferred,
          Exit.map(exit, (merged) => merged[w.key] ?? null)
        )
      }
    })

  /**
   * A call leaving its window (interrupted: its fiber, its AbortSignal, its deadline). The last
   * one to leave a window whose fetch is under way interrupts the fetch: no request goes on
   * for calls nobody waits for any more.
   */
  const leave = (window: ChartWindow, waiter: ChartWaiter) =>
    Effect.suspend(() => {
      const i = window.waiters.indexOf(waiter)
      if (i >= 0) window.waiters.splice(i, 1)
      return window.waiters.length === 0 && window.fetching && window.fiber !== null
        ? Fiber.interruptFork(window.fiber)
        : Effect.void
    })

  const chartSpec = (
    metrics: ReadonlyArray<string> | undefined,
    parameters: ReadonlyArray<string> | undefined,
    options: ChartOptions | undefined
  ): ChartSpec => ({
    // As the Python SDK: empty metric names are dropped.
    metrics: unique((metrics ?? []).filter((m) => m.length > 0)),
    params: parameters === undefined || parameters.length === 0 ? null : unique(parameters),
    independent: options?.independentMetrics ?? true,
    full: options?.fetchFull ?? false
  })

  const experimentKeyOf = (e: string | { readonly key: string }) => (typeof e === "string" ? e : e.key)

  const getMetricsForChart = (
    experiments: ReadonlyArray<string | { readonly key: string }>,
    metrics?: ReadonlyArray<string>,
    parameters?: ReadonlyArray<string>,
    options?: ChartOptions
  ) =>
    Effect.gen(function* () {
      const keys = experiments.map(experimentKeyOf)
      const empty = keys.findIndex((k) => k.trim().length === 0)
      if (empty >= 0) {
        return yield* Effect.fail(
          new InvalidArgument({
            argument: `experiments[${empty}]`,
            value: keys[empty] ?? "",
            reason: "an experiment key cannot be empty."
          })
        )
      }
      return yield* fetchChart(keys, chartSpec(metrics, parameters, options), options?.onProgress)
    })

  const getExperimentMetricsForChart = (
    experimentKey: string,
    metrics: ReadonlyArray<string>,
    parameters?: ReadonlyArray<string>,
    options?: ChartOptions
  ) =>
    Effect.gen(function* () {
      const key = yield* required("experimentKey", experimentKey)
      const spec = chartSpec(metrics, parameters, options)
      if (spec.metrics.length === 0) return null
      const group = specKey(spec)
      const waiter: ChartWaiter = { key, deferred: yield* Deferred.make<ChartExperiment | null, CometError>() }
      let window = chartWindows.get(group)
      if (window === undefined) {
        const opened: ChartWindow = { spec, waiters: [waiter], fiber: null, fetching: false }
        chartWindows.set(group, opened)
        opened.fiber = yield* Effect.forkIn(flushChartWindow(group, opened), scope)
        window = opened
      } else {
        window.waiters.push(waiter)
      }
      const joined = window
      return yield* Effect.onInterrupt(Deferred.await(waiter.deferred), () => leave(joined, waiter))
    })

  return { getMetricsForChart, getExperimentMetricsForChart }
}
