// The README's quickstart, kept here so `pnpm check` type-checks it. Not run by the demo.
import { API, Chart, Summaries } from "@comet-ts/api"

await using api = new API()
const experiments = await api.getExperiments("my-workspace", "my-project")
const chart = await api.getMetricsForChart(experiments, ["val_loss", "val_acc"], ["lr"])

for (const exp of experiments) {
  const acc = Chart.series(chart[exp.key], "val_acc") // by name, not by position; null if not logged
  console.log(exp.name, Chart.last(acc), Chart.max(acc), Chart.valueAtStep(acc, 1000))
}

// One row per (experiment, metric, logged point): what a CSV export or a dataframe wants.
for (const row of Chart.rows(chart)) console.log(row.experimentKey, row.metric, row.step, row.value)

// Summaries as numbers: Comet sends "0.95"; a value that is not a number stays { text }.
const summaries = Summaries.byName(await api.getExperimentMetricsSummaries(experiments[0]!.key))
console.log(Summaries.value(summaries.get("val_acc"), "max"))
