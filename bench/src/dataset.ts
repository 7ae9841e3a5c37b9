/**
 * The benchmarks' dataset, built deterministically so that the server process and the client
 * process agree on every key without talking: a 1,000-experiment sweep (fan-out, query then
 * chart, emulator throughput), two projects of long series (decode), and one experiment with a
 * large streamed asset (asset download).
 */
import type { DatasetJson } from "@comet-ts/emulator"

/** The API key the bench server accepts. */
export const API_KEY = "bench-key"
/** The workspace holding every bench project. */
export const WORKSPACE = "bench"
/** The sweep project: many experiments with short series. */
export const SWEEP = "sweep"
/** Experiments in the sweep. */
export const SWEEP_SIZE = 1000
/** Points per metric in the sweep. */
export const SWEEP_POINTS = 1000
/** Metrics of each sweep experiment. */
export const SWEEP_METRICS = ["loss", "accuracy", "val_loss"] as const
/** Metrics of each experiment of a chart project. */
export const CHART_METRICS = ["loss", "accuracy", "val_loss", "learning_rate"] as const
/** Experiments of each chart project. */
export const CHART_EXPERIMENTS = 100

/** A project of long series (the decode benchmark): 100 experiments × 4 metrics × `points`. */
export interface ChartSet {
  readonly project: string
  readonly points: number
  readonly prefix: number
}

/** ≈ 50 MB as a full multi-metric-chart answer. */
export const CHARTS_2500: ChartSet = { project: "charts-2500", points: 2_500, prefix: 2 }
/** Comet's per-metric maximum: ≈ 300 MB as a full multi-metric-chart answer. */
export const CHARTS_15000: ChartSet = { project: "charts-15000", points: 15_000, prefix: 4 }
/** The export project (the metrics-export benchmark): 200 experiments × 3 metrics × 1,000 steps. */
export const EXPORT = "export"
/** Experiments in the export project. */
export const EXPORT_SIZE = 200
/** Points per metric in the export project. */
export const EXPORT_POINTS = 1000
/** Metrics of each export experiment. */
export const EXPORT_METRICS = ["loss", "accuracy", "val_loss"] as const
/** The project with the large asset. */
export const ASSETS = "assets"
/** The id of the large asset. */
export const ASSET_ID = `${"f".repeat(31)}0`

/** What the server serves besides the fixed projects: the large asset's size. */
export interface DatasetShape {
  readonly assetBytes: number
}

const hex32 = (prefix: number, i: number) => `${prefix.toString(16)}${i.toString(16).padStart(31, "0")}`

/** Key of the i-th sweep experiment. */
export const sweepKey = (i: number) => hex32(1, i)
/** Key of the i-th experiment of a chart project. */
export const chartKey = (set: ChartSet, i: number) => hex32(set.prefix, i)
/** Key of the i-th experiment of the export project. */
export const exportKey = (i: number) => hex32(5, i)
/** Key of the experiment holding the large asset. */
export const ASSET_EXPERIMENT_KEY = hex32(3, 0)

/**
 * The learning rate of the i-th sweep experiment: a permutation of 0.0001 … 0.1 in steps of
 * 0.0001 (7919 is prime to 1000), so `learning_rate < 0.02005` matches exactly 200 experiments.
 */
export const learningRate = (i: number) => (((i * 7919) % SWEEP_SIZE) + 1) / 10_000
/** The query of the query-then-chart benchmark (Python syntax, as comet_ml and comet-ts accept it). */
export const QUERY_TEXT = 'Parameter("learning_rate") < 0.02005'
/** How many sweep experiments the query matches. */
export const QUERY_MATCHES = 200

const START = 1_700_000_000_000

const series = (
  name: string,
  seed: number,
  points: number,
  startTime: number,
  shape: { from: number; to: number; noise: number; min?: number; max?: number; stepEvery?: number }
) => ({
  name,
  synthetic: {
    shape: "exponential" as const,
    from: shape.from,
    to: shape.to,
    noise: shape.noise,
    ...(shape.min === undefined ? {} : { min: shape.min }),
    ...(shape.max === undefined ? {} : { max: shape.max }),
    seed,
    length: points,
    stepStart: 0,
    stepEvery: shape.stepEvery ?? 1,
    stepsPerEpoch: 100,
    startTime,
    interval: 250,
    context: "train"
  }
})

const sweepExperiment = (i: number) => {
  const start = START + i * 600_000
  const lr = learningRate(i)
  const quality = 1 - Math.abs(Math.log10(lr) + 2.5) / 3
  return {
    experimentKey: sweepKey(i),
    experimentName: `sweep-${i}`,
    userName: "bench",
    startTimeMillis: start,
    endTimeMillis: start + SWEEP_POINTS * 250 + 1000,
    metrics: [
      series("loss", i * 3 + 1, SWEEP_POINTS, start, { from: 2.3, to: 0.1 + (1 - quality), noise: 0.02, min: 0 }),
      series("accuracy", i * 3 + 2, SWEEP_POINTS, start, {
        from: 0.1,
        to: 0.6 + 0.35 * quality,
        noise: 0.01,
        min: 0,
        max: 1
      }),
      series("val_loss", i * 3 + 3, SWEEP_POINTS / 10, start, {
        from: 2.4,
        to: 0.15 + (1 - quality),
        noise: 0.03,
        min: 0,
        stepEvery: 10
      })
    ],
    params: [
      { name: "learning_rate", value: String(lr) },
      { name: "batch_size", value: String(2 ** (4 + (i % 5))) },
      { name: "optimizer", value: i % 2 === 0 ? "adam" : "sgd" }
    ],
    others: [{ name: "Name", value: `sweep-${i}` }],
    tags: i % 10 === 0 ? ["baseline"] : []
  }
}

const chartsExperiment = (set: ChartSet, i: number) => {
  const start = START + i * 3_600_000
  const points = set.points
  return {
    experimentKey: chartKey(set, i),
    experimentName: `long-${i}`,
    userName: "bench",
    startTimeMillis: start,
    endTimeMillis: start + points * 250 + 1000,
    metrics: [
      series("loss", 10_000 + i * 4, points, start, { from: 2.3, to: 0.05, noise: 0.02, min: 0 }),
      series("accuracy", 10_001 + i * 4, points, start, { from: 0.1, to: 0.97, noise: 0.01, min: 0, max: 1 }),
      series("val_loss", 10_002 + i * 4, points, start, { from: 2.4, to: 0.09, noise: 0.03, min: 0 }),
      series("learning_rate", 10_003 + i * 4, points, start, { from: 0.003, to: 0.00001, noise: 0 })
    ],
    params: [{ name: "learning_rate", value: "0.003" }]
  }
}

const exportExperiment = (i: number) => {
  const start = START + i * 900_000
  return {
    experimentKey: exportKey(i),
    experimentName: `export-${i}`,
    userName: "bench",
    startTimeMillis: start,
    endTimeMillis: start + EXPORT_POINTS * 250 + 1000,
    metrics: [
      series("loss", 20_000 + i * 3, EXPORT_POINTS, start, { from: 2.3, to: 0.1 + (i % 7) / 20, noise: 0.02, min: 0 }),
      series("accuracy", 20_001 + i * 3, EXPORT_POINTS, start, {
        from: 0.1,
        to: 0.9 - (i % 7) / 50,
        noise: 0.01,
        min: 0,
        max: 1
      }),
      series("val_loss", 20_002 + i * 3, EXPORT_POINTS, start, {
        from: 2.4,
        to: 0.2 + (i % 7) / 20,
        noise: 0.03,
        min: 0
      })
    ],
    params: [{ name: "learning_rate", value: String(learningRate(i)) }]
  }
}

/** The dataset (JSON form; the server decodes it with the emulator's `decodeDataset`). */
export const benchDataset = (shape: DatasetShape): DatasetJson => ({
  version: 1,
  users: [{ userName: "bench", apiKey: API_KEY, workspaces: [WORKSPACE], defaultWorkspaceName: WORKSPACE }],
  workspaces: [
    {
      name: WORKSPACE,
      projects: [
        {
          projectId: "a".repeat(32),
          projectName: SWEEP,
          experiments: Array.from({ length: SWEEP_SIZE }, (_, i) => sweepExperiment(i))
        },
        {
          projectId: "5".repeat(32),
          projectName: EXPORT,
          experiments: Array.from({ length: EXPORT_SIZE }, (_, i) => exportExperiment(i))
        },
        ...[CHARTS_2500, CHARTS_15000].map((set) => ({
          projectId: set.prefix.toString(16).repeat(32),
          projectName: set.project,
          experiments: Array.from({ length: CHART_EXPERIMENTS }, (_, i) => chartsExperiment(set, i))
        })),
        {
          projectId: "c".repeat(32),
          projectName: ASSETS,
          experiments: [
            {
              experimentKey: ASSET_EXPERIMENT_KEY,
              experimentName: "checkpoint",
              startTimeMillis: START,
              endTimeMillis: START + 1000,
              assets: [
                {
                  assetId: ASSET_ID,
                  fileName: "checkpoint.bin",
                  type: "model-element",
                  createdAt: START + 1000,
                  content: { synthetic: { size: shape.assetBytes, seed: 42 } }
                }
              ]
            }
          ]
        }
      ]
    }
  ]
})
