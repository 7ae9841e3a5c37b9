// how much a waiting call retains: N calls against a server that answers after 30 s
import { createServer } from "node:http"
import { API } from "@comet-ts/api"
const server = createServer((_req, res) => { setTimeout(() => { res.writeHead(200, { "content-type": "application/json" }); res.end('{"values":[]}') }, 30000) })
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
const port = (server.address() as { port: number }).port
const api = new API({ baseUrl: `http://127.0.0.1:${port}`, apiKey: "k", maxConcurrency: 8, panel: false })
const gc = (globalThis as { gc?: () => void }).gc as () => void
const N = Number(process.argv[2] ?? 2000)
// warm
gc(); const before = process.memoryUsage().heapUsed
const ps: Array<Promise<unknown>> = []
for (let i = 0; i < N; i++) ps.push(api.getExperimentMetricsSummaries(`${i.toString(16).padStart(32, "0")}`).catch(() => null))
await new Promise((r) => setTimeout(r, 300))
gc(); const after = process.memoryUsage().heapUsed
console.log(`retained per waiting call: ${Math.round((after - before) / N)} bytes`)
if (process.env.SNAP) (await import("node:v8")).writeHeapSnapshot(process.env.SNAP)
process.exit(0)
