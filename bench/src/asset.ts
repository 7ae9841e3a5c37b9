/**
 * Asset stream: a large asset (1 GiB; 128 MiB in a quick run) downloaded to a file through the
 * facade's `streamExperimentAsset` in a fresh process: throughput against `curl` downloading the
 * same URL to a file, and peak RSS growth against undici's raw `request()` body written the same
 * way in a fresh process, and a bare `node:net` socket read through `onread` (Node's floor: no
 * HTTP parser, no Readable) and with a `'data'` listener as references, runs interleaved in a
 * Latin square.
 */
import { spawn, spawnSync } from "node:child_process"
import { rmSync, statSync } from "node:fs"
import { join } from "node:path"
import { ASSET_EXPERIMENT_KEY, ASSET_ID } from "./dataset.js"
import type { RunningServer } from "./server.js"
import type { BenchContext, Benchmark } from "./types.js"
import { median, mib, now, round } from "./util.js"

interface ChildOutput {
  readonly bytes: number
  readonly ms: number
  readonly cpuMs: number
  readonly rssBefore: number
  readonly rssPeak: number
  readonly maxRss: number
  readonly heapUsedPeak: number
  readonly arrayBuffersPeak: number
  readonly chunks: number
}

const collect = (cmd: string, args: ReadonlyArray<string>): Promise<{ code: number | null; out: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString()
    })
    child.on("error", reject)
    child.on("exit", (code) => resolve({ code, out }))
  })

const assetUrl = (server: RunningServer) =>
  `${server.url}/api/rest/v2/experiment/asset/get-asset?experimentKey=${ASSET_EXPERIMENT_KEY}&assetId=${ASSET_ID}`

const runChild = async (
  ctx: BenchContext,
  server: RunningServer,
  file: string,
  client: "ours" | "undici" | "net" | "onread"
): Promise<ChildOutput> => {
  const r = await collect(process.execPath, [
    "--expose-gc",
    join(ctx.bundleDir, "asset-child.mjs"),
    server.url,
    server.apiKey,
    ASSET_EXPERIMENT_KEY,
    ASSET_ID,
    file,
    "sync",
    client
  ])
  if (r.code !== 0) throw new Error(`asset-child exited ${r.code}`)
  return JSON.parse(r.out.trim().split("\n").pop() ?? "") as ChildOutput
}

const runCurl = async (server: RunningServer, file: string): Promise<{ ms: number; bytes: number }> => {
  const t0 = now()
  const r = await collect("curl", [
    "-sS",
    "--fail",
    "-o",
    file,
    "-H",
    `Authorization: ${server.apiKey}`,
    assetUrl(server)
  ])
  const ms = now() - t0
  if (r.code !== 0) throw new Error(`curl exited ${r.code}`)
  return { ms, bytes: statSync(file).size }
}

/** Without curl: a plain Node `http.get` piped to the file (what the README says). */
const runNodeHttp = async (server: RunningServer, file: string): Promise<{ ms: number; bytes: number }> => {
  const script = `const http=require("node:http"),fs=require("node:fs");http.get(process.argv[1],{headers:{Authorization:process.argv[2]}},(res)=>{res.pipe(fs.createWriteStream(process.argv[3])).on("finish",()=>process.exit(res.statusCode===200?0:1))})`
  const t0 = now()
  const r = await collect(process.execPath, ["-e", script, assetUrl(server), server.apiKey, file])
  const ms = now() - t0
  if (r.code !== 0) throw new Error(`node http.get exited ${r.code}`)
  return { ms, bytes: statSync(file).size }
}

/** The asset-stream benchmark. */
export const assetStream: Benchmark = {
  name: "asset-stream",
  run: async (ctx) => {
    const server = await ctx.startServer({ latency: 0 })
    const file = join(ctx.scratch, "asset.bin")
    try {
      const hasCurl = spawnSync("curl", ["--version"], { stdio: "ignore" }).status === 0
      const baselineName = hasCurl ? "curl -o FILE (same URL)" : "curl not installed: node http.get piped to FILE"
      // 10 runs each: the host moves one client's time by up to 30 % between runs minutes apart,
      // and a median of 5 moved the ratio by ±0.1 between full runs; 10 keeps the rotation whole
      // (every client in every position twice)
      const reps = ctx.quick ? 1 : 10
      // Warm-up (untimed): the server's byte generator and both clients' code paths.
      rmSync(file, { force: true })
      if (hasCurl) await runCurl(server, file)
      else await runNodeHttp(server, file)
      rmSync(file, { force: true })
      if (!ctx.quick) await runChild(ctx, server, file, "ours")
      rmSync(file, { force: true })
      const ours: Array<ChildOutput> = []
      const raw: Array<ChildOutput> = []
      const net: Array<ChildOutput> = []
      const onread: Array<ChildOutput> = []
      const base: Array<{ ms: number; bytes: number }> = []
      // a cyclic Latin square: over each 5 runs each client runs in every position once
      const clients = ["ours", "base", "raw", "net", "onread"] as const
      for (let r = 0; r < reps; r++) {
        for (let i = 0; i < clients.length; i++) {
          const which = clients[(i + clients.length - (r % clients.length)) % clients.length]
          if (which === "ours") ours.push(await runChild(ctx, server, file, "ours"))
          else if (which === "raw") raw.push(await runChild(ctx, server, file, "undici"))
          else if (which === "net") net.push(await runChild(ctx, server, file, "net"))
          else if (which === "onread") onread.push(await runChild(ctx, server, file, "onread"))
          else base.push(hasCurl ? await runCurl(server, file) : await runNodeHttp(server, file))
          rmSync(file, { force: true })
        }
      }
      const size = (ours[0] as ChildOutput).bytes
      for (const o of ours) if (o.bytes !== size) throw new Error(`asset: ${o.bytes} bytes streamed, not ${size}`)
      for (const b of [...base, ...raw, ...net, ...onread])
        if (b.bytes !== size) throw new Error(`asset: a baseline wrote ${b.bytes} bytes, not ${size}`)
      const growthOf = (runs: ReadonlyArray<ChildOutput>) =>
        runs.map((o) => Math.max(o.rssPeak, o.maxRss) - o.rssBefore)
      const growth = growthOf(ours)
      const rawGrowth = growthOf(raw)
      const oursMs = median(ours.map((o) => o.ms))
      const baseMs = median(base.map((b) => b.ms))
      const runsOf = (runs: ReadonlyArray<ChildOutput>) =>
        runs.map((o) => ({
          ms: round(o.ms),
          clientCpuMs: round(o.cpuMs),
          rssBeforeMiB: round(mib(o.rssBefore), 1),
          rssPeakSampledMiB: round(mib(o.rssPeak), 1),
          maxRssMiB: round(mib(o.maxRss), 1),
          heapUsedPeakMiB: round(mib(o.heapUsedPeak), 1),
          arrayBuffersPeakMiB: round(mib(o.arrayBuffersPeak), 1),
          chunks: o.chunks
        }))
      const rawMs = median(raw.map((o) => o.ms))
      const rawFig = {
        name: "undici request() raw body: for await (chunk of res.body) writeSync (fresh process)",
        msMedian: round(rawMs),
        mbPerSecond: round(size / 1e6 / (rawMs / 1000), 1),
        peakRssGrowthMiB: round(mib(Math.max(...rawGrowth)), 1),
        runs: runsOf(raw)
      }
      const oursFig = {
        client: "comet-ts API facade: for await (chunk of api.streamExperimentAsset(...)) writeSync (fresh process)",
        bytes: size,
        msMedian: round(oursMs),
        mbPerSecond: round(size / 1e6 / (oursMs / 1000), 1),
        peakRssGrowthMiB: round(mib(Math.max(...growth)), 1),
        clientCpuMsMedian: round(median(ours.map((o) => o.cpuMs))),
        runs: runsOf(ours)
      }
      const common = {
        benchmark: "asset-stream",
        ours: oursFig,
        node: process.version,
        notes: `${round(mib(size), 0)} MiB synthetic asset served by the emulator (server ${server.mode}), written to a file on ${ctx.scratch}; ${reps} run(s) each; RSS sampled every 10 ms in a fresh process, peak = max(sampled, the kernel's high-water mark VmHWM reset just before the download; getrusage maxRSS where there is no /proc)`
      }
      const growthMiB = mib(Math.max(...growth))
      const rawGrowthMiB = mib(Math.max(...rawGrowth))
      return [
        {
          ...common,
          name: "asset-stream peak RSS growth vs undici",
          what: `peak RSS growth of the process streaming a ${round(mib(size), 0)} MiB asset to a file, against undici's raw body in a process of its own`,
          baseline: rawFig,
          ratio: round(growthMiB - rawGrowthMiB, 1),
          ratioDefinition: "ours.peakRssGrowthMiB - baseline.peakRssGrowthMiB (MiB more than undici's raw body)",
          target: "≤ 10 MiB over undici",
          met: growthMiB - rawGrowthMiB <= 10
        },
        {
          ...common,
          name: "asset-stream throughput",
          what: `time to download a ${round(mib(size), 0)} MiB asset to a file`,
          baseline: {
            name: baselineName,
            msMedian: round(baseMs),
            mbPerSecond: round(size / 1e6 / (baseMs / 1000), 1),
            runsMs: base.map((b) => round(b.ms))
          },
          nodeFloor: {
            name: "Node's floor: a bare node:net socket read through onread into one reused 1 MiB buffer, writeSync (no HTTP parser, no Readable, no allocation; fresh process)",
            msMedian: round(median(onread.map((o) => o.ms))),
            vsBaseline: round(median(onread.map((o) => o.ms)) / baseMs, 3),
            clientCpuMsMedian: round(median(onread.map((o) => o.cpuMs))),
            runs: runsOf(onread)
          },
          netDataListener: {
            name: "a bare node:net socket, 'data' listener, writeSync (no HTTP parser; fresh process)",
            msMedian: round(median(net.map((o) => o.ms))),
            vsBaseline: round(median(net.map((o) => o.ms)) / baseMs, 3),
            clientCpuMsMedian: round(median(net.map((o) => o.cpuMs))),
            runs: runsOf(net)
          },
          undiciRaw: { msMedian: rawFig.msMedian, vsBaseline: round(rawMs / baseMs, 3) },
          ratio: round(oursMs / baseMs, 3),
          ratioDefinition: "ours.msMedian / baseline.msMedian",
          target: "≤ 1.0",
          met: oursMs / baseMs <= 1.0
        }
      ]
    } finally {
      rmSync(file, { force: true })
      await server.close()
    }
  }
}
