/**
 * The panel request report: a readable account of the request counters.
 *
 * @internal
 */
import type { StatsSnapshot } from "@comet-ts/http"

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

const bytes = (n: number): string => {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`
}

const ms = (n: number): string => (n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`)

/**
 * Render the counters: how many requests went to which server and endpoint, how many were
 * retried and why, bytes received and time spent.
 *
 * @internal
 */
export const formatReport = (s: StatsSnapshot): string => {
  const lines: Array<string> = []
  // The counters of servers are reads (logical requests), not HTTP requests: several reads may
  // share one HTTP request (coalesced, cached), and one read may take several (retries).
  const servers = Object.entries(s.byServer)
  const [onlyServer] = servers
  const saved = s.cacheHits + s.coalesced
  const notes = [
    ...(servers.length > 1 ? [servers.map(([url, n]) => `${n} of ${url}`).join(", ")] : []),
    ...(saved > 0 ? [`${saved} answered from shared or cached results`] : [])
  ]
  lines.push(
    `comet-ts panel report: ${plural(s.attempts, "HTTP request")} sent for ${plural(s.requests, "read")}${
      servers.length === 1 && onlyServer !== undefined ? ` of ${onlyServer[0]}` : ""
    }${notes.length === 0 ? "" : ` (${notes.join("; ")})`}.`
  )
  const causes = Object.entries(s.retriesByCause)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
  lines.push(
    s.retries === 0
      ? "Retries: none."
      : `Retries: ${s.retries} (${causes.map(([cause, n]) => `${cause}: ${n}`).join(", ")}).`
  )
  if (s.resent > 0) {
    lines.push(
      `Sent again at once on a new connection: ${s.resent} (a kept-alive connection the server had closed; not retries).`
    )
  }
  if (s.failures > 0) lines.push(`Failed calls: ${s.failures}.`)
  if (s.cacheHits > 0 || s.coalesced > 0) {
    lines.push(
      `Saved requests: ${s.cacheHits} answered from cache, ${s.coalesced} shared with an identical request in flight.`
    )
  }
  lines.push(
    `Received ${bytes(s.bytesReceived)} in ${ms(s.millis)} of request time; at most ${s.maxInFlight} in flight.`
  )
  const endpoints = Object.entries(s.byEndpoint).sort((a, b) => b[1].attempts - a[1].attempts)
  if (endpoints.length > 0) {
    lines.push("By endpoint:")
    const width = Math.max(...endpoints.map(([e]) => e.length))
    for (const [endpoint, e] of endpoints) {
      const retries = e.retries > 0 ? `, ${plural(e.retries, "retry", "retries")}` : ""
      const failures = e.failures > 0 ? `, ${plural(e.failures, "failure")}` : ""
      lines.push(
        `  ${endpoint.padEnd(width)}  ${plural(e.attempts, "request")}${retries}${failures}, ${bytes(e.bytes)}, ${ms(e.millis)}`
      )
    }
  }
  return lines.join("\n")
}
