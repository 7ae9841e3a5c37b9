// A same-origin proxy for comet-ts in a browser: it serves the page, and forwards the page's
// reads to Comet with the API key added here, on the server. Start it with
//   COMET_API_KEY=… [COMET_URL_OVERRIDE=https://www.comet.com] [PORT=8080] node proxy.mjs
// Anyone who can load this page reads with your key: put it behind your app's own login.
import { readFile } from "node:fs/promises"
import { createServer, request as httpRequest } from "node:http"
import { request as httpsRequest } from "node:https"
import { join } from "node:path"

const apiKey = process.env.COMET_API_KEY
if (!apiKey) throw new Error("Set COMET_API_KEY on the server (never in the page)")
const comet = new URL(process.env.COMET_URL_OVERRIDE ?? "https://www.comet.com").origin
const files = { "/": ["index.html", "text/html; charset=utf-8"], "/page.js": ["dist/page.js", "text/javascript"] }
// Reads only: every GET of the REST API, and the two POSTs that read (charts and queries).
const READ_POSTS = new Set(["/api/rest/v2/experiments/multi-metric-chart", "/api/rest/v2/project/query"])
const isRead = (method, path) =>
  (method === "GET" && (path.startsWith("/api/rest/v2/") || path === "/clientlib/isAlive/ver")) ||
  (method === "POST" && READ_POSTS.has(path))

const forward = (req, res, url) => {
  const headers = { authorization: apiKey, accept: req.headers.accept ?? "*/*" }
  for (const name of ["content-type", "content-length"]) if (req.headers[name]) headers[name] = req.headers[name]
  const send = comet.startsWith("https:") ? httpsRequest : httpRequest
  const upstream = send(`${comet}${url.pathname}${url.search}`, { method: req.method, headers }, (answer) => {
    const { connection: _c, "keep-alive": _k, "transfer-encoding": _t, "set-cookie": _s, ...kept } = answer.headers
    res.writeHead(answer.statusCode ?? 502, kept)
    answer.pipe(res)
  })
  upstream.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502).end()))
  req.pipe(upstream)
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", "http://proxy.invalid")
  if (isRead(req.method, url.pathname)) return forward(req, res, url)
  const file = files[url.pathname]
  if (req.method !== "GET" || file === undefined) return res.writeHead(404).end()
  const body = await readFile(join(import.meta.dirname, file[0])).catch(() => null)
  if (body === null) return res.writeHead(500).end(`${file[0]} is missing: run the build first`)
  res.writeHead(200, { "content-type": file[1] }).end(body)
})
server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
