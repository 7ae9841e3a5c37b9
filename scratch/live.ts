// live allocations of waiting calls, by allocation site (sampling heap profiler, live objects only)
import { createServer } from "node:http"
import inspector from "node:inspector"
import { writeFileSync } from "node:fs"
import { API } from "@comet-ts/api"
const server = createServer((_req, res) => { setTimeout(() => { res.writeHead(200, { "content-type": "application/json" }); res.end('{"values":[]}') }, 30000) })
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
const port = (server.address() as { port: number }).port
const api = new API({ baseUrl: `http://127.0.0.1:${port}`, apiKey: "k", maxConcurrency: 8, panel: false })
const gc = (globalThis as { gc?: () => void }).gc as () => void
const N = Number(process.argv[2] ?? 4000)
await api.getExperimentMetricsSummaries("x".repeat(32)).catch(() => null)
const s = new inspector.Session(); s.connect()
const post = (m: string, p?: object) => new Promise<unknown>((res, rej) => s.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))))
await post("HeapProfiler.enable"); gc()
await post("HeapProfiler.startSampling", { samplingInterval: 256 })
const ps: Array<Promise<unknown>> = []
for (let i = 0; i < N; i++) ps.push(api.getExperimentMetricsSummaries(`${i.toString(16).padStart(32, "0")}`).catch(() => null))
await new Promise((r) => setTimeout(r, 300)); gc()
const r = (await post("HeapProfiler.stopSampling")) as { profile: unknown }
writeFileSync(process.env.OUT ?? "/tmp/prof/live.json", JSON.stringify(r.profile))
process.exit(0)
