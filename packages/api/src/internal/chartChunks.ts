/**
 * How many experiments one `experiments/multi-metric-chart` request carries by default: about
 * 1,000 series per sampled request and 100 per full-resolution one (up to 15,000 points each),
 * so an answer stays a few tens of MB. Shared by `getMetricsForChart` and `Chart.stream`.
 *
 * @internal
 */
export const chartChunkSize = (metrics: number, full: boolean): number =>
  Math.max(1, Math.floor((full ? 100 : 1000) / Math.max(1, metrics)))
