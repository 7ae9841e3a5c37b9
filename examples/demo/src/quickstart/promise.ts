// The README's quickstart, kept here so `pnpm check` type-checks it. Not run by the demo.
import { API, NotFound } from "@comet-ts/api"
import { Metric, Tag } from "@comet-ts/query"

// Key, server and defaults come from options, then COMET_API_KEY, COMET_URL_OVERRIDE, … and
// ~/.comet.config, exactly as comet_ml reads them.
await using api = new API()

console.log(await api.getProjects("my-workspace"))
const best = await api.query("my-workspace", "my-project", Metric("val_acc").gt(0.95).or(Tag("best")))
const chart = await api.getMetricsForChart(best, ["val_loss", "val_acc"])
for (const exp of best) console.log(exp.name, chart[exp.key]?.metrics[0]?.values.at(-1))

try {
  await api.getExperiment("my-workspace/my-project/no-such-run")
} catch (error) {
  if (error instanceof NotFound) console.log(error.message) // says what was not found
}

// Every method takes a trailing { signal }; aborting cancels the HTTP request.
const controller = new AbortController()
const pending = api.getExperimentMetric(best[0]!.key, "loss", { signal: controller.signal })
controller.abort()
await pending.catch((e: unknown) => console.log(e)) // a TransportError, reason "aborted"

// Large assets stream; they never sit in memory whole.
for await (const chunk of api.streamExperimentAsset(best[0]!.key, "asset-id")) process.stdout.write(chunk)
