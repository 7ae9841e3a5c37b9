/**
 * Run in a child process (`node --expose-gc --import tsx`): the memory a caller pins by keeping
 * every chunk of downloads, over the socket path (`identity`) and over undici (`any`), printed
 * as JSON `{ socket, undici, kept }` (bytes of ArrayBuffers still alive, bytes kept). Two loads:
 * `drip`, one body a byte per write; `small`, many 100-byte answers, a connection each.
 */
import { createServer } from "node:net"
import { Aborter } from "../../src/internal/transport.js"
import { undiciTransport } from "../../src/internal/transportUndici.js"
import { DIRECT } from "./sockets.js"

const mode = process.argv[2] === "small" ? "small" : "drip"
const N = 2000
const server = createServer((socket) => {
  socket.on("data", () => {
    if (mode === "small") {
      socket.end(`HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 100\r\n\r\n${"y".repeat(100)}`)
      return
    }
    socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${N}\r\n\r\n`)
    let i = 0
    const drip = () => {
      if (i++ < N && !socket.destroyed) socket.write("x", () => setImmediate(drip))
    }
    drip()
  })
})
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/x`
const gc = (globalThis as { gc?: () => void }).gc as () => void

const pinned = async (encoding: "identity" | "any") => {
  const t = await undiciTransport(DIRECT)
  const kept: Array<Uint8Array> = []
  gc()
  const before = process.memoryUsage().arrayBuffers
  for (let k = 0; k < (mode === "small" ? 200 : 1); k++) {
    const r = await t.send({ method: "GET", url, headers: {}, body: undefined, encoding }, new Aborter().signal)
    for (let c = await r.body.read(); c !== null; c = await r.body.read()) kept.push(c)
  }
  await t.close()
  // a few collections, turns apart: a closed socket's memory is freed after its handle's close
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    gc()
  }
  const bytes = process.memoryUsage().arrayBuffers - before
  return { bytes, kept: kept.reduce((n, c) => n + c.length, 0) }
}

const socket = await pinned("identity")
const undici = await pinned("any")
server.close()
process.stdout.write(JSON.stringify({ socket: socket.bytes, undici: undici.bytes, kept: socket.kept }))
