/**
 * `pnpm bench [--quick] [--only NAME,…] [--server child|inprocess] [--out FILE]`: runs the
 * benchmarks against the emulator over loopback, writes `bench/results.json` (one entry per
 * benchmark and variant) and prints a table.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { assetStream } from "./asset.js"
import { bundleSize } from "./bundle-size.js"
import { decode } from "./decode.js"
import { emulatorThroughput } from "./emulator.js"
import { fanout } from "./fanout.js"
import { metricsExport } from "./metrics-export.js"
import { overhead } from "./overhead.js"
import { queryChart } from "./query-chart.js"
import { type RunningServer, type ServerMode, type ServerSpec, serve } from "./server.js"
import type { BenchContext, Benchmark, Result } from "./types.js"
import { now, round } from "./util.js"

const benchmarks: ReadonlyArray<Benchmark> = [
  fanout,
  overhead,
  queryChart,
  metricsExport,
  decode,
  assetStream,
  emulatorThroughput,
  bundleSize
]

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    server: { type: "string", default: "child" },
    out: { type: "string" },
    help: { type: "boolean", default: false }
  }
})

if (values.help) {
  process.stdout.write(
    `Usage: pnpm bench [--quick] [--only ${benchmarks.map((b) => b.name).join(",")}] [--server child|inprocess] [--out FILE]\n`
  )
  process.exit(0)
}

const bundleDir = dirname(fileURLToPath(import.meta.url))
const root = join(bundleDir, "..", "..")
const quick = values.quick ?? false
const serverMode = values.server as ServerMode
if (serverMode !== "child" && serverMode !== "inprocess") {
  process.stderr.write(`bench: --server must be child or inprocess, not ${serverMode}\n`)
  process.exit(2)
}
const only = values.only?.split(",").map((s) => s.trim())
const unknown = only?.filter((n) => !benchmarks.some((b) => b.name === n)) ?? []
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(", ")}\n`)
  process.exit(2)
}
// Only a full run of everything (server in a child process) writes the committed
// bench/results.json; quick, partial and in-process runs go to bench/out/ (git-ignored).
const defaultOut =
  only === undefined && serverMode === "child" && !quick
    ? join(root, "bench", "results.json")
    : join(root, "bench", "out", quick ? "results-quick.json" : "results.json")
const out = values.out ?? defaultOut

/** Sizes of the full and the quick run. */
const shape = { assetBytes: (quick ? 128 : 1024) * 1024 * 1024 }

const scratch = mkdtempSync(join(tmpdir(), "comet-bench-"))
const log = (message: string) => process.stderr.write(`bench: ${message}\n`)

const ctx: BenchContext = {
  quick,
  serverMode,
  root,
  bundleDir,
  scratch,
  log,
  startServer: (spec: Partial<ServerSpec>): Promise<RunningServer> => {
    // One server per latency for the whole run (starting one decodes the dataset, about a second
    // of CPU); benchmarks reset its counters and "close" only their handle.
    const full: ServerSpec = { ...shape, latency: 0, ...spec }
    const key = JSON.stringify(full)
    let server = servers.get(key)
    if (server === undefined) {
      server = serve(serverMode, join(bundleDir, "server-main.mjs"), full)
      servers.set(key, server)
    }
    return server.then((s) => ({ ...s, close: async () => {} }))
  }
}

const servers = new Map<string, Promise<RunningServer>>()
const closeServers = async () => {
  for (const s of servers.values()) await (await s).close()
  servers.clear()
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

/** The figure the ratio is about, for each side (read from `ratioDefinition`, e.g. `ours.msMedian`). */
const short = (r: Result, side: "ours" | "baseline"): string => {
  const field = new RegExp(`${side}\\.(\\w+)`).exec(r.ratioDefinition)?.[1]
  const v = field === undefined ? undefined : r[side][field]
  if (typeof v !== "number") return side === "baseline" && typeof r.baseline.name === "string" ? r.baseline.name : "—"
  const units: Record<string, string> = {
    wallMsMedian: "ms",
    wallMs: "ms",
    msMedian: "ms",
    requests: "requests",
    requestsPerSecond: "req/s",
    gzipKiB: "KiB",
    cpuUsPerRequest: "µs/req",
    peakRssGrowthMiB: "MiB",
    processMsMedian: "ms",
    peakRssMiB: "MiB",
    boundedPeakRssMiB: "MiB"
  }
  return `${v} ${units[field ?? ""] ?? field}`
}

const table = (results: ReadonlyArray<Result>) => {
  const rows = results.map((r) => [
    r.name,
    short(r, "ours"),
    r.skipped !== undefined
      ? `skipped: ${r.skipped.slice(0, 60)}${r.skipped.length > 60 ? "…" : ""}`
      : short(r, "baseline"),
    r.ratio === null ? "—" : String(r.ratio),
    r.target,
    r.met === null ? "n/a" : r.met ? "met" : "NOT MET"
  ])
  const head = ["benchmark", "comet-ts", "baseline", "ratio", "target", ""]
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => pad(c, widths[i] ?? 0)).join("  ")
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n")
}

const load = () => loadavg().map((x) => round(x, 2))

const main = async () => {
  const started = now()
  const loadBefore = load()
  const results: Array<Result> = []
  const failures: Array<string> = []
  for (const b of benchmarks) {
    if (only !== undefined && !only.includes(b.name)) continue
    const t0 = now()
    log(`${b.name} …`)
    try {
      results.push(...(await b.run(ctx)))
      log(`${b.name} done in ${round((now() - t0) / 1000, 1)} s`)
    } catch (e) {
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e)
      failures.push(`${b.name}: ${message}`)
      log(`${b.name} FAILED: ${message}`)
    }
  }
  const report = {
    quick,
    serverMode,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? "unknown"}`,
    date: new Date().toISOString(),
    seconds: round((now() - started) / 1000, 1),
    // The machine's 1/5/15-minute load averages before and after: other processes compete for
    // the 2 cores, and the figures are only as quiet as the machine was.
    loadAverage: { before: loadBefore, after: load() },
    failures,
    results
  }
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`)
  process.stdout.write(`\n${table(results)}\n\n`)
  process.stdout.write(
    `${results.filter((r) => r.met === true).length} met, ${results.filter((r) => r.met === false).length} not met, ` +
      `${results.filter((r) => r.met === null).length} not comparable; ${report.seconds} s; written to ${out}\n`
  )
  await closeServers()
  rmSync(scratch, { recursive: true, force: true })
  if (failures.length > 0) process.exitCode = 1
}

main().catch(async (e: unknown) => {
  await closeServers().catch(() => {})
  rmSync(scratch, { recursive: true, force: true })
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  process.exit(1)
})
