/**
 * The asset-stream client, in a process of its own so that its memory is measured alone:
 * `node asset-child.mjs URL API_KEY EXPERIMENT_KEY ASSET_ID OUT_FILE [sync|stream] [ours|undici]`.
 * `ours` (the default) builds the facade, makes one small call (so the runtime and the
 * connection exist), then streams the asset to the file with `for await` over
 * `api.streamExperimentAsset(...)`; `undici` does the same with undici's raw `request()` body
 * (the baseline: no facade, no checks); `net` reads the response from a bare `node:net` socket
 * with `'data'` listeners (no HTTP parser, no async iteration), and `onread` the same socket
 * read through `onread` into one reused 1 MiB buffer (no Readable, no allocation: Node's
 * floor). Each chunk is written with one `write(2)` as curl does
 * (`sync`, the default), or through an `fs.WriteStream` honouring
 * its backpressure (`stream`: on this machine each of its writes costs about 0.5 ms of the main
 * thread in the hand-off to libuv's thread pool, which the profile charged to the consumer).
 * Samples RSS every 10 ms, reads the kernel's RSS high-water mark reset just before the download
 * (Linux), and prints one JSON line:
 * `{ bytes, ms, cpuMs, rssBefore, rssPeak, maxRss, heapUsedPeak, arrayBuffersPeak, chunks }`.
 */
import { once } from "node:events"
import { closeSync, createWriteStream, openSync, readFileSync, writeFileSync, writeSync } from "node:fs"
import { connect } from "node:net"
import { API } from "@comet-ts/api"
import { Agent, request } from "undici"
import { collectGarbage, now } from "./util.js"

const [url, apiKey, experimentKey, assetId, outFile, mode = "sync", client = "ours"] = process.argv.slice(2)

/**
 * A bare socket: the response read (`Connection: close`), the status line and headers skipped,
 * every later byte written with `writeSync` from the `'data'` listener, or (`onread`) from
 * `onread`'s callback, every read into one reused 1 MiB buffer (each chunk written before the
 * next read: a floor no client handing its chunks to a caller can reach).
 */
const READ_BUFFER = 1024 * 1024
const netDownload = (
  assetUrl: string,
  key: string,
  fd: number,
  onread: boolean
): Promise<{ bytes: number; chunks: number }> =>
  new Promise((resolve, reject) => {
    const u = new URL(assetUrl)
    let head: Buffer | null = Buffer.alloc(0)
    let length = -1
    let bytes = 0
    let chunks = 0
    const write = (chunk: Uint8Array) => {
      bytes += chunk.length
      chunks++
      let off = 0
      while (off < chunk.length) off += writeSync(fd, chunk, off)
    }
    const received = (chunk: Buffer) => {
      if (head === null) return write(chunk)
      head = Buffer.concat([head, chunk])
      const end = head.indexOf("\r\n\r\n")
      if (end < 0) return
      const text = head.subarray(0, end).toString("latin1")
      if (!/^HTTP\/1\.[01] 200 /.test(text)) return reject(new Error(`net: ${text.split("\r\n")[0]}`))
      length = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? -1)
      const rest = head.subarray(end + 4)
      head = null
      if (rest.length > 0) write(rest)
    }
    const target = { host: u.hostname, port: Number(u.port) }
    const socket = onread
      ? connect({
          ...target,
          onread: {
            buffer: Buffer.allocUnsafe(READ_BUFFER),
            callback: (n, buf) => {
              received(Buffer.from(buf.buffer, buf.byteOffset, n))
              return true
            }
          }
        })
      : connect(target).on("data", received)
    socket.on("connect", () => {
      socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: ${key}\r\nConnection: close\r\n\r\n`
      )
    })
    socket.on("error", reject)
    socket.on("end", () =>
      length >= 0 && bytes !== length
        ? reject(new Error(`net: ${bytes} of ${length} bytes`))
        : resolve({ bytes, chunks })
    )
  })

/** Reset the kernel's RSS high-water mark (Linux: `5` to /proc/self/clear_refs); false elsewhere. */
const resetHighWaterMark = (): boolean => {
  try {
    writeFileSync("/proc/self/clear_refs", "5")
    return true
  } catch {
    return false
  }
}

/** The kernel's RSS high-water mark (VmHWM) in bytes, or null where there is none. */
const highWaterMark = (): number | null => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))
    return m === null ? null : Number(m[1]) * 1024
  } catch {
    return null
  }
}

const main = async () => {
  if (url === undefined || apiKey === undefined || experimentKey === undefined || assetId === undefined) {
    throw new Error("usage: asset-child URL API_KEY EXPERIMENT_KEY ASSET_ID OUT_FILE")
  }
  const api = client === "ours" ? new API({ baseUrl: url, apiKey, panel: false }) : null
  const dispatcher = new Agent({ connections: 1 })
  const assetUrl = `${url}/api/rest/v2/experiment/asset/get-asset?experimentKey=${experimentKey}&assetId=${assetId}`
  /** The asset's chunks, from the client under test: each client's own iterable, as is. */
  const chunksOf = async (): Promise<AsyncIterable<Uint8Array>> => {
    if (api !== null) return api.streamExperimentAsset(experimentKey, assetId)
    const res = await request(assetUrl, { dispatcher, headers: { authorization: apiKey } })
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`)
    return res.body
  }
  if (api !== null) await api.getExperimentAssetList(experimentKey)
  else if (client !== "net" && client !== "onread") {
    const res = await request(`${url}/api/rest/v2/experiment/asset/list?experimentKey=${experimentKey}`, {
      dispatcher,
      headers: { authorization: apiKey }
    })
    await res.body.text()
  }
  collectGarbage()
  const reset = resetHighWaterMark()
  const rssBefore = process.memoryUsage().rss
  let rssPeak = rssBefore
  let heapUsedPeak = process.memoryUsage().heapUsed
  let arrayBuffersPeak = process.memoryUsage().arrayBuffers
  const sampler = setInterval(() => {
    const m = process.memoryUsage()
    rssPeak = Math.max(rssPeak, m.rss)
    heapUsedPeak = Math.max(heapUsedPeak, m.heapUsed)
    arrayBuffersPeak = Math.max(arrayBuffersPeak, m.arrayBuffers)
  }, 10)
  let bytes = 0
  let chunks = 0
  const cpu0 = process.cpuUsage()
  const t0 = now()
  if (mode === "sync") {
    // As curl does: each chunk written with one write(2) as it arrives.
    const fd = openSync(outFile ?? "/dev/null", "w")
    try {
      if (client === "net" || client === "onread")
        ({ bytes, chunks } = await netDownload(assetUrl, apiKey, fd, client === "onread"))
      else
        for await (const chunk of await chunksOf()) {
          bytes += chunk.length
          chunks++
          let off = 0
          while (off < chunk.length) off += writeSync(fd, chunk, off)
        }
    } finally {
      closeSync(fd)
    }
  } else {
    const out = createWriteStream(outFile ?? "/dev/null")
    for await (const chunk of await chunksOf()) {
      bytes += chunk.length
      chunks++
      if (!out.write(chunk)) await once(out, "drain")
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())))
  }
  const ms = now() - t0
  const cpu = process.cpuUsage(cpu0)
  const cpuMs = (cpu.user + cpu.system) / 1000
  clearInterval(sampler)
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
  await api?.close()
  await dispatcher.close()
  // The peak during the download itself when the kernel can tell (reset just before it), else
  // the process's lifetime peak (an upper bound).
  const maxRss = (reset ? highWaterMark() : null) ?? process.resourceUsage().maxRSS * 1024
  process.stdout.write(
    `${JSON.stringify({ bytes, ms, cpuMs, rssBefore, rssPeak, maxRss, heapUsedPeak, arrayBuffersPeak, chunks })}\n`
  )
}

main().catch((e: unknown) => {
  process.stderr.write(`asset-child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  process.exit(1)
})
