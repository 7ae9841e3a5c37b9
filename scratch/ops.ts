// Effect operations per call (a supervisor counting every effect a fiber evaluates)
import { createServer } from "node:http"
import { CometApi, CometApiLayer } from "@comet-ts/api"
import { CometHttp } from "@comet-ts/http"
import * as NodeTransport from "@comet-ts/http/NodeTransport"
import { Effect, Layer, ManagedRuntime, Supervisor, RuntimeFlags, Context } from "effect"
const body = '{"values":[{"name":"loss","valueMax":"1","valueMin":"0","valueCurrent":"1","timestampMax":1,"timestampMin":1,"timestampCurrent":1,"runContextMax":null,"runContextMin":null,"runContextCurrent":null,"stepMax":1,"stepMin":0,"stepCurrent":1,"editable":false}]}'
const server = createServer((_req, res) => { res.writeHead(200, { "content-type": "application/json" }); res.end(body) })
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
const port = (server.address() as { port: number }).port
const counts = new Map<string, number>()
let total = 0
class Counter extends Supervisor.AbstractSupervisor<void> {
  get value() { return Effect.void }
  override onEffect(_fiber: unknown, effect: { _op?: string }) { total++; const k = effect._op ?? "?"; counts.set(k, (counts.get(k) ?? 0) + 1) }
}
const sup = new Counter()
const layer = CometApiLayer.layer().pipe(Layer.provideMerge(CometHttp.layerTransport({ apiKey: "k", baseUrl: `http://127.0.0.1:${port}`, maxConcurrency: 4 })), Layer.provide(NodeTransport.layer({ connections: 4, httpProxy: null, httpsProxy: null, noProxy: "", extraCa: null, rejectUnauthorized: true })))
const rt = ManagedRuntime.make(layer)
const call = (k: string) => Effect.flatMap(CometApi, (api) => api.getExperimentMetricsSummaries(k))
await rt.runPromise(call("a".repeat(32)))
const N = 100
total = 0; counts.clear()
for (let i = 0; i < N; i++) await rt.runPromise(call(i.toString(16).padStart(32, "0")).pipe(Effect.supervised(sup), RuntimeFlags.enable ? (e) => e : (e) => e, Effect.withRuntimeFlagsPatch(RuntimeFlags.enable(RuntimeFlags.OpSupervision))))
console.log("ops per call", total / N, [...counts].map(([k, v]) => `${k}:${v / N}`).join(" "))
await rt.dispose(); server.close()
