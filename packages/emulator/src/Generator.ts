/**
 * A deterministic generator of realistic datasets: hyper-parameter sweeps whose loss falls and
 * accuracy rises (with noise, and final quality depending on the hyper-parameters), validation
 * metrics logged less often than training metrics, system metrics, tags, archived, running and
 * crashed runs, real PNG images, curves, a model with its files and registry record, code,
 * output, HTML, graphs, git metadata and patches, a large streamed checkpoint, and three users'
 * worth of workspaces for access-control tests. The same `{ size, seed }` gives the same
 * dataset, byte for byte.
 *
 * @since 0.1.0
 */
import type { InvalidArgument } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type {
  AssetData,
  Dataset,
  ExperimentData,
  LoggedValue,
  MetricSeries,
  ModelData,
  ProjectData,
  SyntheticSeriesSpec,
  UserData,
  WorkspaceData
} from "./Dataset.js"
import { zipStore } from "./internal/content.js"
import { hashString, Rng } from "./internal/rng.js"
import { seriesLength } from "./Series.js"

/**
 * Dataset sizes: `small` (≈ 50 experiments × 14 metrics × 200 steps; the CLI and test
 * default), `medium` (2,000 experiments × 20 metrics × 1,000 steps), `large` (10,000
 * experiments × 30 metrics × 3,000 steps).
 *
 * @since 0.1.0
 */
export type DatasetSize = "small" | "medium" | "large"

/**
 * Options of {@link generate}.
 *
 * @since 0.1.0
 */
export interface GenerateOptions {
  readonly size: DatasetSize
  /** Seed of every random choice (default 1). */
  readonly seed?: number | undefined
  /** Size of the streamed `checkpoint.bin` asset (default: small 8 MiB, medium 256 MiB, large 1 GiB). */
  readonly largeAssetBytes?: number | undefined
  /** The API key of the main user (default `local-dev-key`). */
  readonly apiKey?: string | undefined
}

/**
 * The API keys of the generated users.
 *
 * @since 0.1.0
 */
export const GENERATED_KEYS = {
  /** Sees `local-dev` and `team-vision`. */
  main: "local-dev-key",
  /** Sees `other-user` and `team-vision`. */
  other: "other-user-key"
} as const

interface SizeConfig {
  readonly projects: ReadonlyArray<{ workspace: string; name: string; kind: ProjectKind; experiments: number }>
  readonly trainMetrics: number
  readonly sysMetrics: number
  readonly steps: number
  readonly checkpointBytes: number
  readonly images: number
}

type ProjectKind = "sweep" | "vision" | "detector" | "private" | "empty"

const MiB = 1024 * 1024

/** The same five projects at every size; only how many experiments each holds grows. */
const projectsWith = (counts: {
  readonly sweep: number
  readonly vision: number
  readonly detector: number
  readonly private: number
}): SizeConfig["projects"] => [
  { workspace: "local-dev", name: "mnist-sweep", kind: "sweep", experiments: counts.sweep },
  { workspace: "local-dev", name: "cifar10-resnet", kind: "vision", experiments: counts.vision },
  { workspace: "local-dev", name: "scratchpad", kind: "empty", experiments: 0 },
  { workspace: "team-vision", name: "detector", kind: "detector", experiments: counts.detector },
  { workspace: "other-user", name: "private-runs", kind: "private", experiments: counts.private }
]

const SIZES: Record<DatasetSize, SizeConfig> = {
  small: {
    projects: projectsWith({ sweep: 24, vision: 12, detector: 8, private: 4 }),
    trainMetrics: 10,
    sysMetrics: 4,
    steps: 200,
    checkpointBytes: 8 * MiB,
    images: 3
  },
  medium: {
    projects: projectsWith({ sweep: 1500, vision: 300, detector: 150, private: 50 }),
    trainMetrics: 14,
    sysMetrics: 6,
    steps: 1000,
    checkpointBytes: 256 * MiB,
    images: 2
  },
  large: {
    projects: projectsWith({ sweep: 8000, vision: 1200, detector: 600, private: 200 }),
    trainMetrics: 22,
    sysMetrics: 8,
    steps: 3000,
    checkpointBytes: 1024 * MiB,
    images: 1
  }
}

/** 2024-03-01T00:00:00Z: generated runs start after this. */
const EPOCH = 1709251200000
const HOUR = 3600 * 1000

const ADJECTIVES = [
  "brave",
  "calm",
  "eager",
  "fuzzy",
  "gentle",
  "happy",
  "jolly",
  "keen",
  "lively",
  "mellow",
  "nimble",
  "proud",
  "quiet",
  "rapid",
  "shiny",
  "tidy",
  "vivid",
  "witty",
  "zesty",
  "bold"
]
const ANIMALS = [
  "otter",
  "falcon",
  "badger",
  "lynx",
  "heron",
  "panda",
  "koala",
  "bison",
  "gecko",
  "moose",
  "raven",
  "tapir",
  "walrus",
  "yak",
  "zebra",
  "crane",
  "dingo",
  "ibis",
  "lemur",
  "marten"
]
const TAG_POOL = ["baseline", "sweep", "gpu", "augmented", "debug", "ablation", "long-run", "fp16"]
const OPTIMIZERS = ["adam", "adamw", "sgd", "rmsprop"]
const BATCH_SIZES = [16, 32, 64, 128, 256]
const USERS_BY_WORKSPACE: Record<string, ReadonlyArray<string>> = {
  "local-dev": ["local-dev"],
  "team-vision": ["local-dev", "other-user", "vision-bot"],
  "other-user": ["other-user"]
}

/** Training-metric templates: name, context, quality → (from, to), noise, every-n-steps. */
interface MetricTemplate {
  readonly name: string
  readonly context: string | null
  readonly every: number
  readonly make: (
    q: number,
    rng: Rng,
    lr: number
  ) => { from: number; to: number; noise: number; min?: number; max?: number }
  readonly shape?: SyntheticSeriesSpec["shape"]
}

/** A maker of templates logged under `context` every `every` steps (`shape` defaults to exponential). */
const templates =
  (context: string | null, every: number) =>
  (name: string, make: MetricTemplate["make"], shape?: SyntheticSeriesSpec["shape"]): MetricTemplate => ({
    name,
    context,
    every,
    make,
    ...(shape === undefined ? {} : { shape })
  })

/** Training metrics: logged at every step. */
const train = templates("train", 1)
/** Validation metrics: logged every 10th step. */
const validate = templates("validate", 10)
/** System metrics: logged at every step, without a context. */
const system = templates(null, 1)

const TRAIN_METRICS: ReadonlyArray<MetricTemplate> = [
  train("loss", (q, r) => ({ from: r.range(2.2, 2.4), to: 0.04 + (1 - q) * 0.9, noise: 0.03, min: 0 })),
  train("accuracy", (q, r) => ({ from: r.range(0.08, 0.12), to: 0.62 + 0.37 * q, noise: 0.012, min: 0, max: 1 })),
  validate("val_loss", (q, r) => ({ from: r.range(2.2, 2.4), to: 0.08 + (1 - q) * 1.0, noise: 0.02, min: 0 })),
  validate("val_accuracy", (q, r) => ({
    from: r.range(0.08, 0.12),
    to: 0.58 + 0.38 * q,
    noise: 0.008,
    min: 0,
    max: 1
  })),
  train("learning_rate", (_q, _r, lr) => ({ from: lr, to: lr / 10, noise: 0 }), "linear"),
  train("grad_norm", (q, r) => ({ from: r.range(4, 9), to: 0.3 + (1 - q), noise: 0.15, min: 0 })),
  validate("top5_accuracy", (q) => ({ from: 0.45, to: 0.9 + 0.095 * q, noise: 0.005, min: 0, max: 1 })),
  validate("precision", (q) => ({ from: 0.1, to: 0.6 + 0.38 * q, noise: 0.01, min: 0, max: 1 })),
  validate("recall", (q) => ({ from: 0.1, to: 0.55 + 0.4 * q, noise: 0.01, min: 0, max: 1 })),
  validate("f1", (q) => ({ from: 0.1, to: 0.57 + 0.39 * q, noise: 0.01, min: 0, max: 1 })),
  train("samples_per_sec", (_q, r) => ({ from: r.range(800, 2400), to: 0, noise: 40, min: 0 }), "constant"),
  train("weight_norm", (_q, r) => ({ from: r.range(10, 20), to: r.range(25, 40), noise: 0.2 }), "linear"),
  validate("val_top1_error", (q) => ({ from: 0.9, to: 0.03 + 0.35 * (1 - q), noise: 0.008, min: 0, max: 1 })),
  train("epoch_time", (_q, r) => ({ from: r.range(20, 90), to: 0, noise: 2, min: 0 }), "constant"),
  train("train_perplexity", (q) => ({ from: 9.8, to: 1.05 + (1 - q) * 2, noise: 0.05, min: 1 })),
  validate("val_perplexity", (q) => ({ from: 9.8, to: 1.1 + (1 - q) * 2.4, noise: 0.04, min: 1 })),
  train("kl_divergence", (q) => ({ from: 1.5, to: 0.02 + (1 - q) * 0.3, noise: 0.01, min: 0 })),
  train("momentum", () => ({ from: 0.9, to: 0, noise: 0 }), "constant"),
  validate("val_auc", (q) => ({ from: 0.5, to: 0.85 + 0.14 * q, noise: 0.004, min: 0, max: 1 })),
  train("loss_scale", () => ({ from: 65536, to: 0, noise: 0 }), "constant"),
  train("tokens_seen", (_q, r) => ({ from: 0, to: r.range(1e8, 5e8), noise: 0 }), "linear"),
  validate("val_map", (q) => ({ from: 0.02, to: 0.3 + 0.45 * q, noise: 0.006, min: 0, max: 1 }))
]

const SYS_METRICS: ReadonlyArray<MetricTemplate> = [
  system(
    "sys.cpu.percent.01",
    (_q, r) => ({ from: r.range(30, 50), to: r.range(70, 95), noise: 4, min: 0, max: 100 }),
    "sine"
  ),
  system(
    "sys.ram.used",
    (_q, r) => ({ from: r.range(4e9, 6e9), to: r.range(8e9, 1.2e10), noise: 5e7, min: 0 }),
    "linear"
  ),
  system(
    "sys.gpu.0.gpu_utilization",
    (_q, r) => ({ from: r.range(80, 97), to: 0, noise: 3, min: 0, max: 100 }),
    "constant"
  ),
  system(
    "sys.gpu.0.used_memory",
    (_q, r) => ({ from: 1e9, to: r.range(1e10, 3.8e10), noise: 2e7, min: 0 }),
    "exponential"
  ),
  system("sys.load.avg", () => ({ from: 1, to: 6, noise: 0.3, min: 0 }), "sine"),
  system("sys.ram.total", () => ({ from: 6.7e10, to: 0, noise: 0 }), "constant"),
  system("sys.gpu.0.power_usage", (_q, r) => ({ from: r.range(180, 300), to: 0, noise: 10, min: 0 }), "constant"),
  system("sys.gpu.0.temperature", (_q, r) => ({ from: 35, to: r.range(65, 80), noise: 0.8 }), "exponential")
]

const trainingScript = (kind: ProjectKind, optimizer: string) => `import comet_ml
import torch
from torch import nn, optim

experiment = comet_ml.start(project_name="${kind}")

def train(model, loader, epochs, lr):
    opt = optim.${optimizer === "sgd" ? "SGD" : optimizer === "adamw" ? "AdamW" : optimizer === "rmsprop" ? "RMSprop" : "Adam"}(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    step = 0
    for epoch in range(epochs):
        for x, y in loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            experiment.log_metric("loss", loss.item(), step=step, epoch=epoch)
            step += 1
`

const modelGraph = (hidden: number, dropout: number) =>
  JSON.stringify({
    class_name: "Sequential",
    config: {
      name: "sequential",
      layers: [
        { class_name: "Flatten", config: { name: "flatten", batch_input_shape: [null, 28, 28] } },
        { class_name: "Dense", config: { name: "dense", units: hidden, activation: "relu" } },
        { class_name: "Dropout", config: { name: "dropout", rate: dropout } },
        { class_name: "Dense", config: { name: "dense_1", units: 10, activation: "softmax" } }
      ]
    },
    keras_version: "2.15.0",
    backend: "tensorflow"
  })

const text = (s: string) => ({ text: s })

/** The fields of a generated asset that vary; the others default to none (no step, context, metadata or tags) and stored here (not remote). */
type AssetFields = Pick<AssetData, "fileName" | "type" | "dir" | "createdAt" | "content"> &
  Partial<Pick<AssetData, "step" | "runContext" | "metadata" | "remote" | "remoteUri" | "tags">>

/** A generated asset (fields in the order of {@link AssetData}). */
const asset = (assetId: string, a: AssetFields): AssetData => ({
  assetId,
  fileName: a.fileName,
  type: a.type,
  dir: a.dir,
  step: a.step ?? null,
  runContext: a.runContext ?? null,
  createdAt: a.createdAt,
  metadata: a.metadata ?? null,
  remote: a.remote ?? false,
  remoteUri: a.remoteUri ?? null,
  tags: a.tags ?? [],
  content: a.content
})

/** A parameter or log-other as the SDK logs it: once, without a step. */
const logged = (name: string, value: string | null, timestamp: number, editable = false): LoggedValue => ({
  name,
  value,
  timestamp,
  step: null,
  editable
})

/** The runtime types of {@link GenerateOptions} (its names are the names known). */
const GenerateOptionTypes = Schema.Struct({
  size: Schema.Literal("small", "medium", "large").annotations({ description: '"small", "medium" or "large"' }),
  seed: Inputs.optionalOrNull(
    Schema.Number.pipe(Schema.filter(Number.isSafeInteger)).annotations({ description: "an integer" })
  ),
  largeAssetBytes: Inputs.optionalOrNull(
    Schema.Number.pipe(Schema.filter((n) => Number.isSafeInteger(n) && n >= 0)).annotations({
      description: "a whole number of bytes ≥ 0"
    })
  ),
  apiKey: Inputs.optionalOrNull(Schema.String.annotations({ description: "an API key (a string)" }))
})

export const generateEither = (options: GenerateOptions): Either.Either<Dataset, InvalidArgument> =>
  Either.map(Inputs.optionsArgument(options, GenerateOptionTypes, "generate"), generateChecked)

/**
 * Generate a dataset. Deterministic: the same options give an identical dataset. Options from
 * JavaScript are checked (see {@link generateEither}): what is wrong with them is thrown as the
 * typed `InvalidArgument` itself (`instanceof InvalidArgument`, `_tag`, `argument`), as
 * `parseOrThrow` of `@comet-ts/query` throws its `QueryError` — never a `TypeError`, never a
 * dataset built from a misspelt or mistyped option.
 *
 * @since 0.1.0
 */
export const generate = (options: GenerateOptions): Dataset => {
  const generated = generateEither(options)
  if (Either.isLeft(generated)) throw generated.left
  return generated.right
}

const generateChecked = (options: GenerateOptions): Dataset => {
  const size = SIZES[options.size]
  const seed = options.seed ?? 1
  const rng = new Rng(hashString(options.size, seed))
  const checkpointBytes = options.largeAssetBytes ?? size.checkpointBytes
  let firstExperiment = true
  const nextAssetId = () => rng.hex(32)

  const workspaces = new Map<string, Array<ProjectData>>()
  for (const ws of Object.keys(USERS_BY_WORKSPACE)) workspaces.set(ws, [])

  let projectOffset = 0
  for (const spec of size.projects) {
    const projectId = rng.hex(32)
    const projectStart = EPOCH + projectOffset * 24 * HOUR
    projectOffset++
    const owners = USERS_BY_WORKSPACE[spec.workspace] ?? ["local-dev"]
    const sweepId = spec.kind === "sweep" ? rng.hex(32) : null
    const experiments: Array<ExperimentData> = []
    let bestIndex = -1
    let bestQuality = -1
    const qualities: Array<number> = []

    for (let i = 0; i < spec.experiments; i++) {
      const key = rng.hex(32)
      const lr = rng.logRange(1e-4, 1e-1)
      const batchSize = rng.pick(BATCH_SIZES)
      const optimizer = rng.pick(OPTIMIZERS)
      const dropout = rng.pick([0, 0.1, 0.2, 0.3, 0.5])
      const hidden = rng.pick([64, 128, 256, 512, 1024])
      const augment = rng.chance(0.5)
      // Quality peaks near lr = 3e-3, mid batch sizes, a little dropout; plus luck.
      const lrFit = Math.exp(-((Math.log10(lr) - Math.log10(3e-3)) ** 2) / 0.8)
      const bsFit = 1 - Math.abs(Math.log2(batchSize) - 6) / 6
      const quality = Math.max(
        0,
        Math.min(1, 0.55 * lrFit + 0.2 * bsFit + (dropout > 0 && dropout < 0.4 ? 0.1 : 0) + rng.range(0, 0.15))
      )
      qualities.push(quality)
      if (quality > bestQuality) {
        bestQuality = quality
        bestIndex = i
      }
      const archived = spec.experiments > 4 && rng.chance(0.08)
      const running = i === spec.experiments - 1 && spec.kind !== "private"
      const crashed = !running && rng.chance(0.04)
      const steps = crashed ? Math.max(10, Math.floor(size.steps * rng.range(0.2, 0.6))) : size.steps
      const interval = Math.round(rng.range(200, 1500))
      const start = projectStart + Math.round(i * rng.range(0.2, 1.2) * HOUR)
      const end = start + steps * interval + Math.round(rng.range(1000, 30000))
      const user = rng.pick(owners)
      const name = rng.chance(0.93) ? `${rng.pick(ADJECTIVES)}_${rng.pick(ANIMALS)}_${rng.int(1, 9999)}` : null
      const stepsPerEpoch = Math.max(1, Math.round(size.steps / 10))
      const metricCount = Math.min(size.trainMetrics, TRAIN_METRICS.length)
      const templates = [...TRAIN_METRICS.slice(0, metricCount), ...SYS_METRICS.slice(0, size.sysMetrics)]
      const metrics: Array<MetricSeries> = templates.map((t, mi) => {
        const m = t.make(quality, rng, lr)
        const every = t.every
        const length = Math.floor((steps - 1) / every) + 1
        return {
          name: t.name,
          synthetic: {
            shape: t.shape ?? "exponential",
            from: m.from,
            to: m.to,
            noise: m.noise,
            cycles: 3,
            ...(m.min !== undefined ? { min: m.min } : {}),
            ...(m.max !== undefined ? { max: m.max } : {}),
            seed: hashString(`${key}/${t.name}`, seed + mi),
            length,
            stepStart: 0,
            stepEvery: every,
            stepsPerEpoch,
            startTime: start,
            interval: interval * every,
            context: t.context
          }
        }
      })
      const ts = (offset: number) => start + offset
      const params: Array<LoggedValue> = [
        logged("learning_rate", String(lr), ts(50)),
        logged("batch_size", String(batchSize), ts(50)),
        logged("optimizer", optimizer, ts(50)),
        logged("dropout", String(dropout), ts(50)),
        logged("hidden_size", String(hidden), ts(50)),
        logged("epochs", "10", ts(50)),
        logged("augment", augment ? "true" : "false", ts(50)),
        logged("seed", String(rng.int(0, 99999)), ts(50))
      ]
      if (spec.kind === "vision" || spec.kind === "detector") {
        params.push(logged("model", rng.pick(["resnet18", "resnet50", "efficientnet_b0", "vit_tiny"]), ts(50)))
      }
      const trainable = hidden * 784 + hidden * 10 + hidden + 10
      const others: Array<LoggedValue> = [
        ...(name === null ? [] : [logged("Name", name, ts(20), true)]),
        logged("trainable_params", String(trainable), ts(40)),
        logged(
          "dataset",
          spec.kind === "sweep" ? "mnist" : spec.kind === "detector" ? "coco-subset" : "cifar10",
          ts(40)
        ),
        logged("status", running ? "running" : crashed ? "crashed" : "completed", ts(60)),
        logged("note", rng.chance(0.3) ? "" : "tuned by sweep", ts(70), true),
        // Some runs resume an earlier one: a log-other that most runs do not have (null in queries).
        ...(i > 0 && rng.chance(0.3) ? [logged("resumed_from", experiments[i - 1]?.experimentKey ?? null, ts(30))] : [])
      ]
      const tagCount = rng.int(0, 2)
      const tags = new Set<string>()
      if (spec.kind === "sweep") tags.add("sweep")
      for (let t = 0; t < tagCount; t++) tags.add(rng.pick(TAG_POOL))
      if (crashed) tags.add("crashed")

      const hostname = `gpu-node-${String(rng.int(1, 32)).padStart(2, "0")}`
      const pid = rng.int(1000, 65000)
      const installed = [
        "comet_ml==3.58.8",
        "numpy==1.26.4",
        `torch==${rng.pick(["2.1.2", "2.2.1", "2.3.0"])}`,
        "torchvision==0.17.1",
        "tqdm==4.66.2"
      ]
      const command = ["train.py", "--lr", String(lr), "--batch-size", String(batchSize)]
      const assets: Array<AssetData> = []
      const models: Array<ModelData> = []
      if (spec.kind !== "private") {
        for (let k = 0; k < size.images; k++) {
          const stepAt = Math.floor(((k + 1) * (steps - 1)) / size.images)
          assets.push(
            asset(nextAssetId(), {
              fileName: `samples/prediction-step-${stepAt}.png`,
              type: "image",
              dir: "images",
              step: stepAt,
              runContext: "validate",
              createdAt: ts(stepAt * interval),
              content: { png: { width: 32, height: 32, seed: hashString(`${key}/img/${k}`, seed) } }
            })
          )
        }
        const n = 11
        const fpr = Array.from({ length: n }, (_, j) => j / (n - 1))
        const tpr = fpr.map((x) => Math.min(1, Number((x ** (0.15 + (1 - quality) * 0.8)).toFixed(6))))
        assets.push(
          asset(nextAssetId(), {
            fileName: "roc-curve.json",
            type: "curve",
            dir: "assets",
            step: steps - 1,
            createdAt: ts(steps * interval),
            content: { json: { name: "roc-curve", x: fpr, y: tpr } }
          })
        )
        assets.push(
          asset(nextAssetId(), {
            fileName: "config.yaml",
            type: "asset",
            dir: "assets",
            createdAt: ts(10),
            metadata: JSON.stringify({ source: "hydra", version: 1 }),
            tags: ["config"],
            content: text(
              `optimizer: ${optimizer}\nlearning_rate: ${lr}\nbatch_size: ${batchSize}\ndropout: ${dropout}\nhidden_size: ${hidden}\n`
            )
          })
        )
        if (i % 3 === 0) {
          assets.push(
            asset(nextAssetId(), {
              fileName: "dataset-card.md",
              type: "asset",
              dir: "assets",
              createdAt: ts(12),
              remote: true,
              remoteUri: "s3://datasets/mnist/README.md",
              content: text("# MNIST\n")
            })
          )
        }
      }
      if (firstExperiment) {
        assets.push(
          asset(nextAssetId(), {
            fileName: "checkpoint.bin",
            type: "asset",
            dir: "assets",
            step: steps - 1,
            createdAt: ts(steps * interval),
            tags: ["large"],
            content: { synthetic: { size: checkpointBytes, seed: hashString(`${key}/checkpoint`, seed) } }
          })
        )
      }
      if (spec.kind === "vision" || firstExperiment) {
        const modelName = spec.kind === "vision" ? "resnet-classifier" : "mnist-mlp"
        models.push({
          experimentModelId: rng.hex(32),
          modelName,
          registryRecords: [],
          assets: [
            asset(nextAssetId(), {
              fileName: "model.pt",
              type: "model-element",
              dir: "trained-models",
              createdAt: ts(steps * interval + 500),
              content: { synthetic: { size: 256 * 1024, seed: hashString(`${key}/model`, seed) } }
            }),
            asset(nextAssetId(), {
              fileName: "model-config.json",
              type: "model-element",
              dir: "trained-models",
              createdAt: ts(steps * interval + 500),
              content: { json: { architecture: modelName, hidden_size: hidden, dropout } }
            })
          ]
        })
      }
      const hasPatch = rng.chance(0.5)
      const patch = `diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,3 +1,3 @@\n-LR = 0.01\n+LR = ${lr}\n`
      const experiment: ExperimentData = {
        experimentKey: key,
        experimentName: name,
        userName: user,
        optimizationId: sweepId,
        filePath: "/home/user/project/train.py",
        fileName: "train.py",
        startTimeMillis: start,
        endTimeMillis: end,
        durationMillis: end - start,
        archived,
        running,
        hasCrashed: crashed,
        throttle: false,
        metrics,
        params,
        others,
        tags: [...tags],
        environment: {
          os: "Linux-5.15.0-1051-aws-x86_64-with-glibc2.31",
          os_type: "Linux",
          os_release: "5.15.0-1051-aws",
          python_version: "3.10.12",
          hostname,
          user,
          pid,
          gpu_count: spec.kind === "private" ? 0 : rng.pick([1, 2, 4, 8])
        },
        systemDetails: {
          user,
          pythonVersion: "3.10.12",
          pythonVersionVerbose: "3.10.12 (main, Nov 20 2023, 15:14:05) [GCC 11.4.0]",
          pid,
          osType: "Linux",
          os: "Linux-5.15.0-1051-aws-x86_64-with-glibc2.31",
          osRelease: "5.15.0-1051-aws",
          machine: "x86_64",
          processor: "x86_64",
          ip: `10.0.${rng.int(0, 255)}.${rng.int(1, 254)}`,
          hostname,
          totalRam: 67108864000,
          maxTotalMemory: null,
          gpuStaticInfoList:
            spec.kind === "private"
              ? []
              : [
                  {
                    gpuIndex: 0,
                    name: "NVIDIA A100-SXM4-40GB",
                    uuid: `GPU-${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
                    totalMemory: 42949672960,
                    powerLimit: 400000
                  }
                ],
          logAdditionalSystemInfoList: [{ key: "cuda_version", value: "12.1" }],
          systemMetricNames: SYS_METRICS.slice(0, size.sysMetrics).map((m) => m.name),
          networkInterfaceIps: ["127.0.0.1", "10.0.0.5"],
          command,
          executable: "/usr/bin/python3",
          osPackages: ["libc6=2.35-0ubuntu3.6", "libcudnn8=8.9.7.29-1+cuda12.2"],
          installedPackages: installed
        },
        code: trainingScript(spec.kind, optimizer),
        output: [
          `COMET INFO: Experiment is live on comet.com ${key}`,
          ...Array.from(
            { length: 5 },
            (_, e) => `Epoch ${e + 1}/10 - loss: ${(2.3 - e * (0.35 + quality / 5)).toFixed(4)}`
          ),
          crashed ? "Traceback (most recent call last):\nRuntimeError: CUDA out of memory" : "Training complete."
        ].join("\n"),
        html: i % 2 === 0 ? `<h2>Run ${name ?? key}</h2><p>quality ${quality.toFixed(3)}</p>` : null,
        graph: modelGraph(hidden, dropout),
        git: {
          user,
          root: "/home/user/project",
          branch: rng.pick(["main", "feature/augment", "exp/sweep"]),
          parent: rng.hex(40),
          origin: "git@github.com:example/training.git",
          patch: hasPatch
            ? {
                base64: Buffer.from(
                  zipStore([{ name: "git_diff.patch", bytes: new TextEncoder().encode(patch) }])
                ).toString("base64")
              }
            : null
        },
        assets,
        models
      }
      experiments.push(experiment)
      firstExperiment = false
    }
    // The best run of each project is tagged "best", and its model (if any) is registered.
    const best = experiments[bestIndex]
    if (best !== undefined) {
      const withBest: ExperimentData = {
        ...best,
        tags: [...best.tags, "best"],
        models: best.models.map((m) => ({
          ...m,
          registryRecords: [
            {
              registryModelId: rng.hex(32),
              registryModelItemId: rng.hex(32),
              registryModelName: `${spec.name}-model`,
              version: "1.0.0",
              createdAt: (best.endTimeMillis ?? best.startTimeMillis) + HOUR
            }
          ]
        }))
      }
      experiments[bestIndex] = withBest
    }
    const lastUpdated = experiments.reduce((m, e) => Math.max(m, e.endTimeMillis ?? e.startTimeMillis), projectStart)
    workspaces.get(spec.workspace)?.push({
      projectId,
      projectName: spec.name,
      projectDescription:
        spec.kind === "empty"
          ? null
          : spec.kind === "sweep"
            ? "Hyper-parameter sweep of an MLP on MNIST"
            : `${spec.name} experiments`,
      ownerUserName: owners[0] ?? null,
      public: spec.kind === "detector",
      lastUpdated,
      notes: spec.kind === "empty" ? "" : `# ${spec.name}\n\nNotes for the ${spec.name} project.`,
      experiments
    })
  }

  const main = options.apiKey ?? GENERATED_KEYS.main
  const users: Array<UserData> = [
    {
      userName: "local-dev",
      apiKey: main,
      workspaces: ["local-dev", "team-vision"],
      defaultWorkspaceName: "local-dev"
    },
    {
      userName: "other-user",
      apiKey: main === GENERATED_KEYS.other ? `${GENERATED_KEYS.other}-2` : GENERATED_KEYS.other,
      workspaces: ["other-user", "team-vision"],
      defaultWorkspaceName: "other-user"
    }
  ]
  const ws: Array<WorkspaceData> = [...workspaces.entries()].map(([name, projects]) => ({ name, projects }))
  return { version: 1, users, workspaces: ws }
}

/**
 * Counts of a dataset (for logs and the CLI).
 *
 * @since 0.1.0
 */
export const describe = (
  dataset: Dataset
): { workspaces: number; projects: number; experiments: number; series: number; points: number; assets: number } => {
  let projects = 0
  let experiments = 0
  let series = 0
  let points = 0
  let assets = 0
  for (const w of dataset.workspaces) {
    for (const p of w.projects) {
      projects++
      for (const e of p.experiments) {
        experiments++
        series += e.metrics.length
        for (const m of e.metrics) points += seriesLength(m)
        assets += e.assets.length
      }
    }
  }
  return { workspaces: dataset.workspaces.length, projects, experiments, series, points, assets }
}
