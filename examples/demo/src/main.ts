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
import { API, type APIExperiment, Chart } from "@comet-ts/api"
import * as Emulator from "@comet-ts/emulator"
import { format, Metric, Parameter, Tag } from "@comet-ts/query"
import { HttpServer } from "@effect/platform"
import { SingleBar } from "cli-progress"
import Table from "cli-table3"
import * as echarts from "echarts"
import { Effect, ManagedRuntime } from "effect"

const SEED = 42
const LATENCY_MS = 20
const OUT_DIR = resolve(process.cwd(), "demo-output")

const started = performance.now()
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`
const say = (text: string) => console.log(text)

const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? "—" : v.toFixed(digits))

/** An axis around [lo, hi]: a round tick interval (1, 2 or 5 × 10^k) and bounds on it. */
const niceAxis = (lo: number, hi: number) => {
  const rough = Math.max(hi - lo, 1e-9) / 5
  const magnitude = 10 ** Math.floor(Math.log10(rough))
  const interval = ([1, 2, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude
  const round = (x: number) => Number(x.toPrecision(12))
  return { min: round(Math.floor(lo / interval) * interval), max: round(Math.ceil(hi / interval) * interval), interval }
}

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

  // 6. Rank by final validation accuracy: each run's series by name, its last logged value.
  const ranked = best
    .map((e: APIExperiment) => {
      const c = chart[e.key]
      return {
        experiment: e,
        label: e.name ?? e.key.slice(0, 12),
        accuracy: Chart.series(c, "val_accuracy"),
        acc: Chart.last(Chart.series(c, "val_accuracy")),
        loss: Chart.last(Chart.series(c, "val_loss")),
        params: c?.params ?? {}
      }
    })
    .filter((r) => r.acc !== null && !Number.isNaN(r.acc))
    .sort((a, b) => (b.acc ?? 0) - (a.acc ?? 0))
  const top = ranked.slice(0, 10)
  const table = new Table({
    head: ["rank", "experiment", "optimizer", "learning rate", "batch", "val accuracy", "val loss"],
    style: { head: [], border: [] }
  })
  const right = (content: string) => ({ content, hAlign: "right" as const })
  // A rule under the header only: later rows' cells draw no rule above them.
  const noRule = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" }
  top.forEach((r, i) => {
    const lr = Number(r.params.learning_rate ?? Number.NaN)
    const cells = [
      right(String(i + 1)),
      { content: r.label },
      { content: String(r.params.optimizer ?? "—") },
      right(Number.isFinite(lr) ? lr.toPrecision(3) : "—"),
      right(String(r.params.batch_size ?? "—")),
      right(fmt(r.acc)),
      right(fmt(r.loss))
    ]
    table.push(i === 0 ? cells : cells.map((c) => ({ ...c, chars: noRule })))
  })
  say(table.toString())

  // 7. A line chart of the top runs' validation-accuracy curves, rendered by ECharts to SVG. The
  //    ranking is decided by where each run ends, so the axes fit the last quarter of each run
  //    (on 0–1, a finish between 0.93 and 0.97 would get a few pixels; earlier, lower points are
  //    clipped at the bottom) and each run's last point is marked. The legend lists every run,
  //    in rank order, with its final value, beside the plot: nothing is paged or cut.
  const finishes = top.map((r) => {
    const points = Chart.points(r.accuracy).filter((p) => p.step !== null && Number.isFinite(p.value))
    const end = points.at(-1)?.step ?? 0
    return points.filter((p) => (p.step ?? 0) >= end * 0.75)
  })
  const fromStep = Math.min(...finishes.map((f) => f[0]?.step ?? 0))
  const yAxis = niceAxis(
    Math.min(...finishes.flatMap((f) => f.map((p) => p.value))),
    Math.max(...finishes.flatMap((f) => f.map((p) => p.value)))
  )
  const palette = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#17becf"
  ]
  const plot = echarts.init(null, null, { renderer: "svg", ssr: true, width: 1200, height: 640 })
  plot.setOption({
    animation: false,
    backgroundColor: "#ffffff",
    color: palette,
    title: {
      text: `${workspace}/${project.projectName}: validation accuracy of the top ${top.length} runs, at the finish`,
      subtext: `query: ${format(query)}`,
      left: 40
    },
    legend: {
      type: "plain",
      orient: "vertical",
      right: 16,
      top: 90,
      itemGap: 12,
      textStyle: { fontSize: 12 },
      data: top.map((r) => `${r.label} (${fmt(r.acc)})`)
    },
    grid: { left: 70, right: 280, top: 90, bottom: 60 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "value", name: "step", nameLocation: "middle", nameGap: 28, min: fromStep, max: "dataMax" },
    yAxis: { type: "value", name: "val_accuracy", ...yAxis },
    series: top.flatMap((r, i) => {
      const name = `${r.label} (${fmt(r.acc)})`
      const data = Chart.points(r.accuracy)
        .filter((p) => p.step !== null && p.step >= fromStep && Number.isFinite(p.value))
        .map((p) => [p.step, p.value])
      const color = palette[i % palette.length]
      return [
        { name, type: "line", showSymbol: false, data, color },
        { name, type: "scatter", symbolSize: 8, data: data.slice(-1), color }
      ]
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
