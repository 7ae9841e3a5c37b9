/**
 * `node bench/.cache/profile-client.mjs [ours|fetch] [N] [C]` (after `pnpm bench` bundled it;
 * add `--cpu-prof` to node to get a profile): N metric-summary requests at concurrency C against
 * a bench server in a child process with no latency, reporting the client's CPU time per
 * request. This is how the per-request cost of the comet-ts path was profiled (bench/README.md).
 */
import { join } from "node:path"
import { API } from "@comet-ts/api"
import { SWEEP_SIZE, sweepKey } from "./dataset.js"
import { serveInChild } from "./server.js"
import { now, pool, round } from "./util.js"

const which = process.argv[2] ?? "ours"
const n = Number(process.argv[3] ?? 5000)
const c = Number(process.argv[4] ?? 16)

const main = async () => {
  const server = await serveInChild(join(import.meta.dirname, "server-main.mjs"), {
    latency: 0,
    assetBytes: 1
  })
  const keys = Array.from({ length: n }, (_, i) => sweepKey(i % SWEEP_SIZE))
  const api = new API({ baseUrl: server.url, apiKey: server.apiKey, maxConcurrency: c, panel: false })
  const headers = { Authorization: server.apiKey, Accept: "application/json" }
  const once = async (ks: ReadonlyArray<string>) => {
    if (which === "ours") await Promise.all(ks.map((k) => api.getExperimentMetricsSummaries(k)))
    else
      await pool(ks, c, async (k) => {
        const res = await fetch(`${server.url}/api/rest/v2/experiment/metrics/summary?experimentKey=${k}`, { headers })
        return res.json()
      })
  }
  await once(keys.slice(0, 200))
  const cpu0 = process.cpuUsage()
  const t0 = now()
  await once(keys)
  const wall = now() - t0
  const cpu = process.cpuUsage(cpu0)
  const cpuMs = (cpu.user + cpu.system) / 1000
  process.stdout.write(
    `${which}: ${n} requests at c=${c}: wall ${round(wall)} ms, client CPU ${round(cpuMs)} ms = ${round((cpuMs / n) * 1000)} µs/request\n`
  )
  await api.close()
  await server.close()
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`)
  process.exit(1)
})
