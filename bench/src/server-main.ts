/**
 * The bench server child: `node server-main.mjs '<ServerSpec JSON>'`, forked with an IPC
 * channel. Sends `{ ready: url }` once it listens, answers `counts` and `reset`, and exits on
 * SIGTERM or when its parent goes away.
 */
import { type FromServer, type ServerSpec, serveInProcess, type ToServer } from "./server.js"

const send = (m: FromServer) => process.send?.(m)

const main = async () => {
  const spec = JSON.parse(process.argv[2] ?? "{}") as ServerSpec
  const server = await serveInProcess(spec)
  const stop = () => {
    server.close().finally(() => process.exit(0))
  }
  process.on("SIGTERM", stop)
  process.on("disconnect", stop)
  process.on("message", (raw) => {
    const m = raw as ToServer
    const answer =
      m.op === "counts"
        ? server.counts().then((counts) => send({ id: m.id, counts }))
        : server.reset().then(() => send({ id: m.id }))
    answer.catch((e: unknown) => send({ error: String(e) }))
  })
  send({ ready: server.url })
}

main().catch((e: unknown) => {
  send({ error: e instanceof Error ? e.message : String(e) })
  process.exit(1)
})
