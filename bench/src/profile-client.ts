/**
 * `node bench/.cache/profile-client.mjs [ours|fetch|undici] [N] [C] [LATENCY]` (after `pnpm bench` bundled it;
 * add `--cpu-prof` to node to get a profile): N metric-summary requests at concurrency C against
 * a bench server in a child process with no latency, reporting the client's CPU time per
 * request. This is how the per-request cost of the comet-ts path was profiled (bench/README.md).
 */
import { join } from "node:path"
import { API } from "@comet-ts/api"
import { Agent, request } from "undici"
import { readAll } from "../../packages/http/src/internal/body.js"
import { undiciTransport } from "../../packages/http/src/internal/transportUndici.js"
import { SWEEP_SIZE, sweepKey } from "./dataset.js"
import { serveInChild } from "./server.js"
import { now, pool, round } from "./util.js"

const which = process.argv[2] ?? "ours"
const n = Number(process.argv[3] ?? 5000)
const c = Number(process.argv[4] ?? 16)
const latency = Number(process.argv[5] ?? 0)

const main = async () => {
  const server = await serveInChild(join(import.meta.dirname, "server-main.mjs"), {
    latency,
    assetBytes: 1
  })
  const keys = Array.from({ length: n }, (_, i) => sweepKey(i % SWEEP_SIZE))
  const api = new API({ baseUrl: server.url, apiKey: server.apiKey, maxConcurrency: c, panel: false })
  const headers = { Authorization: server.apiKey, Accept: "application/json" }
  const dispatcher = new Agent({ connections: c })
  const adapter =
    which === "adapter"
      ? await undiciTransport({
          connections: c,
          httpProxy: null,
          httpsProxy: null,
          noProxy: "",
          extraCa: null,
          rejectUnauthorized: true
        })
      : null
  const once = async (ks: ReadonlyArray<string>) => {
    if (adapter !== null)
      await pool(ks, c, async (k) => {
        const res = await adapter.send(
          {
            method: "GET",
            url: `${server.url}/api/rest/v2/experiment/metrics/summary?experimentKey=${k}`,
            headers: { authorization: server.apiKey, accept: "application/json" },
            body: undefined,
            encoding: "any"
          },
          new AbortController().signal
        )
        const bytes = await readAll({
          response: res,
          limit: 1 << 28,
          limitName: "x",
          onBytes: () => {},
          describeError: String
        })
        return JSON.parse(new TextDecoder().decode(bytes)) as unknown
      })
    else if (which === "ours") await Promise.all(ks.map((k) => api.getExperimentMetricsSummaries(k)))
    else if (which === "undici")
      await pool(ks, c, async (k) => {
        const res = await request(`${server.url}/api/rest/v2/experiment/metrics/summary?experimentKey=${k}`, {
          dispatcher,
          headers
        })
        return res.body.json()
      })
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
  await dispatcher.close()
  await server.close()
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`)
  process.exit(1)
})
