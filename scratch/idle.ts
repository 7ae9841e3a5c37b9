// CPU spent while calls wait: N calls against a server that answers after 4 s
import { createServer } from "node:http"
import { API } from "@comet-ts/api"
const server = createServer((_req, res) => { setTimeout(() => { res.writeHead(200, { "content-type": "application/json" }); res.end('{"values":[]}') }, 4000) })
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
const port = (server.address() as { port: number }).port
const api = new API({ baseUrl: `http://127.0.0.1:${port}`, apiKey: "k", maxConcurrency: 8, panel: false })
await api.getExperimentMetricsSummaries("x".repeat(32)).catch(() => null)
const N = Number(process.argv[2] ?? 500)
const ps: Array<Promise<unknown>> = []
for (let i = 0; i < N; i++) ps.push(api.getExperimentMetricsSummaries(`${i.toString(16).padStart(32, "0")}`).catch(() => null))
await new Promise((r) => setTimeout(r, 500))
const c0 = process.cpuUsage()
await new Promise((r) => setTimeout(r, 2000))
const c = process.cpuUsage(c0)
console.log(`CPU while ${N} calls wait 2 s: user ${(c.user / 1000).toFixed(1)} ms, system ${(c.system / 1000).toFixed(1)} ms`)
process.exit(0)
