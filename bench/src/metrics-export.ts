/**
 * Metrics export: 200 experiments × 3 metrics × 1,000 steps as CSV (one row per experiment,
 * metric and point), with `comet-ts metrics bench/export --metric … --full` against the same
 * export through comet_ml 3.58.8 (`API()`, `get_experiments`, one `get_metrics_for_chart(keys,
 * metrics, full=True)` call, then the csv module). Requests (counted by the emulator), wall time
 * and peak memory, same emulator, same 20 ms latency.
 *
 * comet-ts is timed twice: in this process through `run(argv, streams)` (the command alone,
 * comparable to the Python figure, which leaves out the import of comet_ml), and as the program
 * a CI job starts (`node comet-ts.mjs …`, start-up included), next to the whole Python process.
 */
import { spawn } from "node:child_process"
import { createWriteStream, mkdtempSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Writable } from "node:stream"
import { run } from "@comet-ts/cli"
import { CometConfig } from "@comet-ts/core"
import { Effect } from "effect"
import { EXPORT, EXPORT_METRICS, EXPORT_POINTS, EXPORT_SIZE, WORKSPACE } from "./dataset.js"
import { findPython, runScript } from "./python.js"
import type { RunningServer, ServerCounts } from "./server.js"
import type { BenchContext, Benchmark, Result } from "./types.js"
import { median, now, round } from "./util.js"

const LATENCY = 20
const EXPECTED_ROWS = EXPORT_SIZE * EXPORT_METRICS.length * EXPORT_POINTS
const ARGV = ["metrics", `${WORKSPACE}/${EXPORT}`, ...EXPORT_METRICS.flatMap((m) => ["--metric", m]), "--full"]

interface Run {
  readonly ms: number
  readonly counts: ServerCounts
  readonly rows: number
  readonly valueSum: number
  readonly bytes?: number | undefined
  readonly maxRssMiB?: number | undefined
}

/** Rows and the sum of the value column of a CSV export (checked after the timing). */
const readCsv = (file: string): { readonly rows: number; readonly valueSum: number; readonly bytes: number } => {
  const text = readFileSync(file, "utf8")
  let rows = 0
  let valueSum = 0
  let start = text.indexOf("\n") + 1
  while (start < text.length) {
    const end = text.indexOf("\n", start)
    const line = text.slice(start, end < 0 ? text.length : end)
    valueSum += Number(line.slice(line.lastIndexOf(",") + 1))
    rows++
    start = end < 0 ? text.length : end + 1
  }
  return { rows, valueSum, bytes: Buffer.byteLength(text) }
}

const envFor = (server: RunningServer) => ({ COMET_API_KEY: server.apiKey, COMET_URL_OVERRIDE: server.url })

/** comet-ts in this process: `run(argv)` writing to a file, timed until the file is closed. */
const runInProcess = async (ctx: BenchContext, server: RunningServer): Promise<Run> => {
  await server.reset()
  const file = join(mkdtempSync(join(ctx.scratch, "export-")), "ours.csv")
  const env = envFor(server)
  let stderr = ""
  const errors = new Writable({
    write(chunk: Buffer, _e, cb) {
      stderr += chunk.toString()
      cb()
    }
  })
  const t0 = now()
  const out = createWriteStream(file)
  const code = await Effect.runPromise(
    run(ARGV, { stdout: out, stderr: errors, env, connection: { sources: CometConfig.staticSources(env) } })
  )
  await new Promise<void>((resolve, reject) => {
    out.once("error", reject)
    out.end(() => resolve())
  })
  const ms = now() - t0
  if (code !== 0) throw new Error(`comet-ts metrics exited ${code}: ${stderr}`)
  return { ms, counts: await server.counts(), ...readCsv(file) }
}

const spawnTimed = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>>; readonly stdout?: string }
): Promise<{ readonly ms: number; readonly stdout: string; readonly stderr: string }> =>
  new Promise((resolve, reject) => {
    const t0 = now()
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    const sink = options.stdout === undefined ? undefined : createWriteStream(options.stdout)
    child.stdout.on("data", (d: Buffer) => {
      if (sink === undefined) stdout += d.toString()
      else sink.write(d)
    })
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    child.on("error", reject)
    child.on("close", (code) => {
      const done = () =>
        code === 0
          ? resolve({ ms: now() - t0, stdout, stderr })
          : reject(new Error(`${command} exited ${code}: ${stderr.slice(-500)}`))
      if (sink === undefined) done()
      else sink.end(done)
    })
  })

/** The peak RSS a Node child reports on exit (its own resource usage), in MiB. */
const RSS_HOOK = `data:text/javascript,process.on("exit",()=>process.stderr.write("comet-bench-maxrss-kib="+process.resourceUsage().maxRSS+"\\n"))`

/** The V8 old-space limit of the bounded-memory run, in MiB: far below what the whole chart takes. */
const BOUNDED_HEAP_MIB = 64

/**
 * comet-ts as a program: `node comet-ts.mjs metrics … > file`, start-up included; with
 * `heapMiB`, under that V8 heap limit (an export that held everything would die there).
 */
const runProcess = async (ctx: BenchContext, server: RunningServer, heapMiB?: number): Promise<Run> => {
  await server.reset()
  const dir = mkdtempSync(join(ctx.scratch, "export-"))
  const file = join(dir, "ours.csv")
  const flags = heapMiB === undefined ? [] : [`--max-old-space-size=${heapMiB}`]
  const r = await spawnTimed(
    process.execPath,
    [...flags, "--import", RSS_HOOK, join(ctx.bundleDir, "comet-ts.mjs"), ...ARGV],
    {
      cwd: dir,
      env: { ...envFor(server), HOME: dir },
      stdout: file
    }
  )
  const kib = Number(/comet-bench-maxrss-kib=(\d+)/.exec(r.stderr)?.[1] ?? Number.NaN)
  return { ms: r.ms, counts: await server.counts(), ...readCsv(file), maxRssMiB: round(kib / 1024, 1) }
}

interface PythonOutput {
  readonly importMs: number
  readonly ms: number
  readonly apiMs: number
  readonly listMs: number
  readonly chartMs: number
  readonly csvMs: number
  readonly experiments: number
  readonly rows: number
  readonly valueSum: number
  readonly maxRssKiB: number
  readonly version: string
}

/** comet_ml: one process per run; its own timing leaves the import out, the process time does not. */
const runPython = async (
  ctx: BenchContext,
  python: string,
  server: RunningServer
): Promise<Run & { readonly python: PythonOutput; readonly processMs: number }> => {
  await server.reset()
  const { output: parsed, processMs } = await runScript<PythonOutput>(
    ctx,
    python,
    server,
    "metrics_export.py",
    (home) => [WORKSPACE, EXPORT, EXPORT_METRICS.join(","), join(home, "python.csv")]
  )
  return {
    ms: parsed.ms,
    processMs,
    counts: await server.counts(),
    rows: parsed.rows,
    valueSum: parsed.valueSum,
    maxRssMiB: round(parsed.maxRssKiB / 1024, 1),
    python: parsed
  }
}

const check = (who: string, runs: ReadonlyArray<Run>, reference: number) => {
  for (const r of runs) {
    if (r.rows !== EXPECTED_ROWS) throw new Error(`${who}: ${r.rows} rows, not ${EXPECTED_ROWS}`)
    if (Math.abs(r.valueSum - reference) > 1e-6 * Math.abs(reference)) {
      throw new Error(`${who}: the values sum to ${r.valueSum}, comet-ts's to ${reference}`)
    }
  }
}

const figures = (runs: ReadonlyArray<Run>) => {
  const last = runs[runs.length - 1] as Run
  const rss = runs.flatMap((r) => (r.maxRssMiB === undefined ? [] : [r.maxRssMiB]))
  return {
    msMedian: round(median(runs.map((r) => r.ms))),
    runsMs: runs.map((r) => round(r.ms)),
    requests: last.counts.requests,
    byEndpoint: last.counts.byEndpoint,
    rows: last.rows,
    ...(rss.length === 0 ? {} : { peakRssMiBMedian: round(median(rss), 1) })
  }
}

/** The metrics-export benchmark. */
export const metricsExport: Benchmark = {
  name: "metrics-export",
  run: async (ctx) => {
    const server = await ctx.startServer({ latency: LATENCY })
    try {
      const sdk = await findPython(ctx)
      const reps = ctx.quick ? 1 : 3
      // Warm-up (JIT, the emulator's series cache).
      await runInProcess(ctx, server)
      const inProcess: Array<Run> = []
      const processes: Array<Run> = []
      const python: Array<Run & { readonly python: PythonOutput; readonly processMs: number }> = []
      for (let r = 0; r < reps; r++) {
        inProcess.push(await runInProcess(ctx, server))
        processes.push(await runProcess(ctx, server))
        if ("python" in sdk) python.push(await runPython(ctx, sdk.python, server))
      }
      // An export that held everything would die under this limit: that is a result, not a failure.
      const bounded = await runProcess(ctx, server, BOUNDED_HEAP_MIB).catch((e: unknown) => {
        ctx.log(`metrics-export: the ${BOUNDED_HEAP_MIB} MiB run failed: ${e instanceof Error ? e.message : String(e)}`)
        return null
      })
      const reference = inProcess[0]?.valueSum ?? 0
      check("comet-ts", inProcess, reference)
      check("comet-ts (process)", processes, reference)
      if (bounded !== null) check(`comet-ts (process, ${BOUNDED_HEAP_MIB} MiB heap)`, [bounded], reference)
      check("python", python, reference)
      const ours = {
        client: `comet-ts ${ARGV.join(" ")} (in process: run(argv) to a file)`,
        ...figures(inProcess),
        processMsMedian: round(median(processes.map((p) => p.ms))),
        processRunsMs: processes.map((p) => round(p.ms)),
        processPeakRssMiBMedian: round(median(processes.map((p) => p.maxRssMiB ?? Number.NaN)), 1),
        boundedPeakRssMiB: bounded?.maxRssMiB ?? null,
        boundedHeap: {
          maxOldSpaceMiB: BOUNDED_HEAP_MIB,
          completed: bounded !== null,
          ms: bounded === null ? null : round(bounded.ms),
          rows: bounded?.rows ?? null
        }
      }
      const common = {
        benchmark: "metrics-export",
        ours,
        node: process.version,
        notes: `${EXPORT_SIZE} experiments × ${EXPORT_METRICS.length} metrics × ${EXPORT_POINTS} steps (${EXPECTED_ROWS.toLocaleString("en")} rows, ${round((inProcess[0]?.bytes ?? 0) / 1e6, 1)} MB of CSV); emulator latency ${LATENCY} ms, server ${server.mode}; ${reps} run(s) each (median); both outputs checked: same row count and value sum`
      }
      if (python.length === 0) {
        const skipped = "unavailable" in sdk ? sdk.unavailable : "python unavailable"
        return [
          {
            ...common,
            name: "metrics-export vs Python SDK",
            what: "wall time of the CSV export against comet_ml itself",
            baseline: { name: "Python SDK comet_ml 3.58.8" },
            ratio: null,
            ratioDefinition: "baseline.msMedian / ours.msMedian (speed-up)",
            target: "faster than comet_ml (≥ 1×)",
            met: null,
            skipped
          }
        ]
      }
      const py = {
        name: `Python SDK comet_ml ${python[0]?.python.version}: API() + get_experiments + one get_metrics_for_chart(full=True) + csv.writer`,
        ...figures(python),
        processMsMedian: round(median(python.map((p) => p.processMs))),
        importMsMedian: round(median(python.map((p) => p.python.importMs))),
        chartMsMedian: round(median(python.map((p) => p.python.chartMs))),
        csvMsMedian: round(median(python.map((p) => p.python.csvMs)))
      }
      const results: Array<Result> = [
        {
          ...common,
          name: "metrics-export vs Python SDK",
          what: "wall time of the CSV export (the command alone; Python without its import) against comet_ml",
          baseline: py,
          ratio: round(py.msMedian / ours.msMedian, 2),
          ratioDefinition: "baseline.msMedian / ours.msMedian (speed-up)",
          target: "faster than comet_ml (≥ 1×)",
          met: py.msMedian / ours.msMedian >= 1
        },
        {
          ...common,
          name: "metrics-export process vs Python process",
          what: "wall time of the whole program, start-up and import included (what a CI step waits)",
          baseline: py,
          ratio: round(py.processMsMedian / ours.processMsMedian, 2),
          ratioDefinition: "baseline.processMsMedian / ours.processMsMedian (speed-up)",
          target: "faster than comet_ml (≥ 1×)",
          met: py.processMsMedian / ours.processMsMedian >= 1
        },
        {
          ...common,
          name: "metrics-export requests",
          what: "requests the emulator received for the export (comet-ts: 100 series a request, 2 in flight, written as they come; comet_ml: everything in one answer)",
          baseline: py,
          ratio: round(ours.requests / py.requests, 2),
          ratioDefinition: "ours.requests / baseline.requests",
          target: "≤ 1 list + ⌈200 × 3 / 100⌉ chart requests = 8",
          met: ours.requests <= 8
        },
        {
          ...common,
          name: "metrics-export bounded memory",
          what: `the whole export under a ${BOUNDED_HEAP_MIB} MiB V8 heap (node --max-old-space-size=${BOUNDED_HEAP_MIB}): memory follows the chunk, not the export; peak RSS of both programs alongside (V8 collects lazily when it may grow, so the default run's RSS is not its live memory)`,
          baseline: { ...py, peakRssMiB: py.peakRssMiBMedian },
          ratio: round((ours.boundedPeakRssMiB ?? Number.NaN) / (py.peakRssMiBMedian ?? Number.NaN), 2),
          ratioDefinition: "ours.boundedPeakRssMiB / baseline.peakRssMiB",
          target: `completes with a ${BOUNDED_HEAP_MIB} MiB heap`,
          met: ours.boundedHeap.completed
        }
      ]
      return results
    } finally {
      await server.close()
    }
  }
}
