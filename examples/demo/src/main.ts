/**
 * `pnpm demo`: a panel-style program written against the Promise facade, run against Comet's
 * REST API as served by the comet-ts emulator (started in this process, on a loopback port,
 * with generated training runs and 20 ms of latency per request).
 *
 * It finds the sweep project, queries the best runs with an OR query (which Comet's Python SDK
 * refuses), fetches their curves for charting with a progress bar, prints a ranked table,
 * writes a line chart (ECharts, rendered to SVG on the server side) to ./demo-output/, and
 * prints the request report.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { API, type APIExperiment } from "@comet-ts/api"
import type { ChartExperiment } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { format, Metric, Parameter, Tag } from "@comet-ts/query"
import { HttpServer } from "@effect/platform"
import { SingleBar } from "cli-progress"
import * as echarts from "echarts"
import { Effect, ManagedRuntime } from "effect"

const SEED = 42
const LATENCY_MS = 20
const OUT_DIR = resolve(process.cwd(), "demo-output")

const started = performance.now()
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`
const say = (text: string) => console.log(text)

const lastOf = (values: ReadonlyArray<number | null>): number | null => {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i]
    if (v !== null && v !== undefined && Number.isFinite(v)) return v
  }
  return null
}

const metricOf = (e: ChartExperiment | undefined, name: string) => e?.metrics.find((m) => m.metricName === name)

const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? "—" : v.toFixed(digits))

const main = async () => {
  // 1. The emulator, in process, on a real loopback socket.
  say(`Generating the "medium" dataset (seed ${SEED}) and starting the Comet emulator…`)
  const dataset = Emulator.generate({ size: "medium", seed: SEED })
  const server = ManagedRuntime.make(Emulator.layerServer({ dataset, port: 0, latency: LATENCY_MS, seed: SEED }))
  const address = await server.runPromise(Effect.map(HttpServer.HttpServer, (s) => s.address))
  if (address._tag !== "TcpAddress") throw new Error("the emulator did not bind a TCP port")
  const baseUrl = `http://127.0.0.1:${address.port}`
  say(`  emulator listening on ${baseUrl} (${LATENCY_MS} ms latency per request)  [${elapsed()}]\n`)

  // 2. The client, as a panel would hold it.
  await using api = new API({
    apiKey: Emulator.DEFAULT_API_KEY,
    baseUrl,
    maxConcurrency: 8,
    panel: false
  })

  // 3. Find the project: the workspace's largest.
  const workspaces = await api.getWorkspaces()
  const workspace = workspaces[0] ?? "local-dev"
  const projects = await api.listProjects(workspace)
  const project = [...projects].sort((a, b) => (b.numberOfExperiments ?? 0) - (a.numberOfExperiments ?? 0))[0]
  if (project === undefined) throw new Error(`no project in ${workspace}`)
  say(`Workspaces: ${workspaces.join(", ")}`)
  say(`Project: ${workspace}/${project.projectName} (${project.numberOfExperiments} experiments)\n`)

  // 4. The best runs, with an OR query: high validation accuracy and a small final loss, or
  //    tagged "best" by a human. Built with the typed builder; the same query in Python syntax
  //    (what API.query also accepts) is printed next to it.
  const query = Metric("val_accuracy")
    .gt(0.9)
    .and(Metric("val_loss").lt(0.3))
    .or(Tag("best").and(Parameter("batch_size").ge(16)))
  say(`Query: ${format(query)}`)
  const best = await api.query(workspace, project.projectName, query)
  say(`  ${best.length} matching experiments  [${elapsed()}]\n`)
  if (best.length === 0) throw new Error("the query matched nothing")

  // 5. Their full-resolution curves, in concurrent chunks, with a progress bar.
  const metrics = ["val_accuracy", "val_loss", "loss"]
  const bar = new SingleBar({
    format: "Fetching curves [{bar}] {value}/{total} experiments",
    barCompleteChar: "█",
    barIncompleteChar: "░",
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 1000
  })
  bar.start(best.length, 0)
  const chart = await api.getMetricsForChart(best, metrics, ["learning_rate", "batch_size", "optimizer"], {
    fetchFull: true,
    onProgress: (done) => bar.update(done)
  })
  bar.stop()
  say(`  ${Object.keys(chart).length} experiments × ${metrics.length} metrics  [${elapsed()}]\n`)

  // 6. Rank by final validation accuracy.
  const ranked = best
    .map((e: APIExperiment) => {
      const c = chart[e.key]
      return {
        experiment: e,
        acc: lastOf(metricOf(c, "val_accuracy")?.values ?? []),
        loss: lastOf(metricOf(c, "val_loss")?.values ?? []),
        params: c?.params ?? {}
      }
    })
    .filter((r) => r.acc !== null)
    .sort((a, b) => (b.acc ?? 0) - (a.acc ?? 0))
  const top = ranked.slice(0, 10)
  console.table(
    top.map((r, i) => ({
      rank: i + 1,
      experiment: r.experiment.name ?? r.experiment.key.slice(0, 12),
      optimizer: String(r.params.optimizer ?? "—"),
      "learning rate": Number(r.params.learning_rate ?? Number.NaN).toPrecision(3),
      batch: String(r.params.batch_size ?? "—"),
      "val accuracy": fmt(r.acc),
      "val loss": fmt(r.loss)
    }))
  )

  // 7. A line chart of the top runs' validation-accuracy curves, rendered by ECharts to SVG.
  const plot = echarts.init(null, null, { renderer: "svg", ssr: true, width: 1100, height: 620 })
  plot.setOption({
    animation: false,
    backgroundColor: "#ffffff",
    title: {
      text: `${workspace}/${project.projectName}: validation accuracy of the top ${top.length} runs`,
      subtext: `query: ${format(query)}`,
      left: "center"
    },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 70, right: 40, top: 80, bottom: 70 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "value", name: "step", nameLocation: "middle", nameGap: 28 },
    yAxis: { type: "value", name: "val_accuracy", scale: true },
    series: top.map((r) => {
      const m = metricOf(chart[r.experiment.key], "val_accuracy")
      const steps = m?.steps ?? []
      return {
        name: r.experiment.name ?? r.experiment.key.slice(0, 8),
        type: "line",
        showSymbol: false,
        data: (m?.values ?? []).map((v, i) => [steps[i] ?? i, v])
      }
    })
  })
  mkdirSync(OUT_DIR, { recursive: true })
  const file = resolve(OUT_DIR, "val-accuracy.svg")
  writeFileSync(file, plot.renderToSVGString())
  plot.dispose()
  say(`\nChart written to ${file}\n`)

  // 8. What it cost.
  say(await api.getPanelReport())
  const requests = await api.getPanelRequestCount()
  say(
    `\nThe Python SDK's pattern for the same result (column names, query, one metadata call per matching experiment, the chart) would have sent at least ${3 + best.length} requests; this run sent ${requests} in all, the lookups above included.`
  )
  say(`Done in ${elapsed()}.`)
  await server.dispose()
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error)
  process.exitCode = 1
})
