/**
 * The page of the headless Chromium tests: the Promise facade, bundled for a browser, reads the
 * server named in the page's query string and writes what it got — or the typed error — into
 * the DOM, where the test reads it. (Test only: a real page never holds the key; see the
 * README's browser section and examples/browser.)
 */
import { API, TransportError } from "@comet-ts/api"

const params = new URLSearchParams(window.location.search)
const show = (id: string, text: string) => {
  const el = document.createElement("output")
  el.id = id
  el.textContent = text
  document.body.append(el)
}

const main = async () => {
  const started = performance.now()
  const api = new API({
    baseUrl: params.get("baseUrl") ?? window.location.origin,
    apiKey: params.get("apiKey") ?? "",
    panel: false
  })
  try {
    show("workspaces", JSON.stringify(await api.getWorkspaces()))
    const experiment = params.get("experiment")
    const metric = params.get("metric")
    if (experiment !== null && metric !== null) {
      const chart = await api.getMetricsForChart([experiment], [metric], [], { fetchFull: true })
      const series = chart[experiment]?.metrics.find((m) => m.metricName === metric)
      show("chart", JSON.stringify(series?.values ?? null))
    }
    show("status", "ok")
  } catch (error) {
    show("error-instance", error instanceof TransportError ? "TransportError" : String(error))
    if (error instanceof TransportError) {
      show("error-reason", error.reason)
      show("error-attempts", String(error.attempts))
    }
    show("error-message", error instanceof Error ? error.message : String(error))
    show("status", "error")
  } finally {
    show("elapsed-ms", String(Math.round(performance.now() - started)))
    await api.close()
  }
}

void main()
