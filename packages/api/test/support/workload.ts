/**
 * The soak workload: a deterministic list of logical reads through the Promise facade, spread
 * with a seeded PRNG over every experiment the key can see. Kinds: metadata, summaries,
 * metric histories, multi-metric charts, asset downloads and queries. Each read's result is
 * reduced to a SHA-256 of its canonical JSON, so a run under faults can be compared with a
 * fault-free run read by read without holding every result in memory.
 */
import { createHash } from "node:crypto"
import type { Dataset, ExperimentData, ProjectData } from "@comet-ts/emulator"
import { type API, APIExperiment } from "../../src/index.js"

/** The kinds of logical read. */
export type ReadKind = "metadata" | "summary" | "metric" | "chart" | "asset" | "query"

/** One logical read: a facade call. */
export interface Read {
  readonly index: number
  readonly kind: ReadKind
  readonly label: string
  readonly run: (api: API) => Promise<unknown>
}

/** The share of each kind (they are normalised). */
export type Mix = Readonly<Record<ReadKind, number>>

/** The default mix: what a dashboard or a long analysis job reads. */
export const DEFAULT_MIX: Mix = { metadata: 15, summary: 15, metric: 25, chart: 15, asset: 20, query: 10 }

/** What one read ended with. */
export type Outcome =
  | { readonly ok: true; readonly digest: string }
  | { readonly ok: false; readonly error: unknown; readonly tag: string }

/** A small, fast, seeded PRNG (mulberry32). */
export const prng = (seed: number) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[int(xs.length)] as A
  const sample = <A>(xs: ReadonlyArray<A>, n: number): Array<A> => {
    const copy = [...xs]
    const out: Array<A> = []
    while (out.length < n && copy.length > 0) out.push(copy.splice(int(copy.length), 1)[0] as A)
    return out
  }
  return { next, int, pick, sample }
}

interface Located {
  readonly workspace: string
  readonly project: ProjectData
  readonly experiment: ExperimentData
}

const SMALL_ASSET_BYTES = 1024 * 1024

const QUERIES = [
  'Metric("loss") < 0.5',
  'Parameter("optimizer") == "adam"',
  'Tag("best") | (Parameter("batch_size") == 256)',
  '(Metric("accuracy") > 0.8) & (Parameter("dropout") < 0.3)',
  'Parameter("learning_rate") < 0.003',
  'Tag("sweep") & (Metric("val_loss") < 1)'
]

const CHART_METRICS = ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"]

/**
 * `reads` logical reads over what `workspaces` hold in `dataset`, in a fixed order from `seed`.
 */
export const buildWorkload = (
  dataset: Dataset,
  workspaces: ReadonlyArray<string>,
  options: { readonly reads: number; readonly seed: number; readonly mix?: Mix | undefined }
): Array<Read> => {
  const rng = prng(options.seed)
  const located: Array<Located> = []
  for (const ws of dataset.workspaces) {
    if (!workspaces.includes(ws.name)) continue
    for (const project of ws.projects) {
      for (const experiment of project.experiments) located.push({ workspace: ws.name, project, experiment })
    }
  }
  const projects = [...new Map(located.map((l) => [l.project.projectId, l])).values()]
  const assets = located.flatMap((l) =>
    l.experiment.assets
      .filter((a) => !a.remote && !("synthetic" in a.content && a.content.synthetic.size > SMALL_ASSET_BYTES))
      .map((a) => ({ key: l.experiment.experimentKey, assetId: a.assetId, fileName: a.fileName }))
  )
  const mix = options.mix ?? DEFAULT_MIX
  const kinds = Object.keys(mix) as Array<ReadKind>
  const total = kinds.reduce((s, k) => s + mix[k], 0)
  const kindAt = (u: number): ReadKind => {
    let acc = 0
    for (const k of kinds) {
      acc += mix[k] / total
      if (u < acc) return k
    }
    return kinds[kinds.length - 1] as ReadKind
  }

  const reads: Array<Read> = []
  for (let index = 0; index < options.reads; index++) {
    const kind = kindAt(rng.next())
    const at = rng.pick(located)
    const key = at.experiment.experimentKey
    switch (kind) {
      case "metadata":
        reads.push({ index, kind, label: `metadata ${key}`, run: (api) => api.getExperimentMetadata(key) })
        break
      case "summary": {
        const which = rng.int(3)
        reads.push({
          index,
          kind,
          label: `summary#${which} ${key}`,
          run: (api) =>
            which === 0
              ? api.getExperimentMetricsSummaries(key)
              : which === 1
                ? api.getExperimentParametersSummaries(key)
                : api.getExperimentOthersSummaries(key)
        })
        break
      }
      case "metric": {
        const metric = rng.pick(at.experiment.metrics).name
        reads.push({
          index,
          kind,
          label: `metric ${metric} ${key}`,
          run: (api) => api.getExperimentMetric(key, metric)
        })
        break
      }
      case "chart": {
        const pool = located.filter((l) => l.project.projectId === at.project.projectId)
        const keys = rng.sample(pool, 2 + rng.int(9)).map((l) => l.experiment.experimentKey)
        const metrics = rng.sample(CHART_METRICS, 2 + rng.int(2))
        const params = rng.next() < 0.5 ? ["learning_rate", "batch_size"] : undefined
        const full = rng.next() < 0.2
        reads.push({
          index,
          kind,
          label: `chart ${keys.length}×${metrics.join(",")}${full ? " full" : ""}`,
          run: (api) => api.getMetricsForChart(keys, metrics, params, { fetchFull: full })
        })
        break
      }
      case "asset": {
        const asset = rng.pick(assets)
        reads.push({
          index,
          kind,
          label: `asset ${asset.fileName} ${asset.key}`,
          run: (api) => api.getExperimentAsset(asset.key, asset.assetId)
        })
        break
      }
      case "query": {
        const p = rng.pick(projects)
        const text = rng.pick(QUERIES)
        reads.push({
          index,
          kind,
          label: `query ${p.workspace}/${p.project.projectName} ${text}`,
          run: (api) => api.query(p.workspace, p.project.projectName, text)
        })
        break
      }
    }
  }
  return reads
}

/** A JSON-able form of a result: bytes become their length and hash, experiments their metadata. */
export const canonical = (u: unknown): unknown => {
  if (u instanceof Uint8Array) return { bytes: u.length, sha256: createHash("sha256").update(u).digest("hex") }
  if (u instanceof APIExperiment) return { experiment: u.key, metadata: u.metadata }
  if (Array.isArray(u)) return u.map(canonical)
  if (typeof u === "object" && u !== null) {
    return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, canonical(v)]))
  }
  return u
}

/** The digest of a result. */
export const digest = (u: unknown): string =>
  createHash("sha256")
    .update(JSON.stringify(canonical(u)) ?? "undefined")
    .digest("hex")

/**
 * Run the reads with `concurrency` callers at once, each taking the next read in order, and
 * return every outcome by index. `onError` sees every error (for key checks).
 */
export const runWorkload = async (
  api: API,
  reads: ReadonlyArray<Read>,
  concurrency: number,
  onError: (e: unknown) => void = () => {}
): Promise<Array<Outcome>> => {
  const outcomes: Array<Outcome> = new Array(reads.length)
  let next = 0
  const worker = async () => {
    while (next < reads.length) {
      const read = reads[next++] as Read
      try {
        outcomes[read.index] = { ok: true, digest: digest(await read.run(api)) }
      } catch (error) {
        onError(error)
        const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "untyped"
        outcomes[read.index] = { ok: false, error, tag }
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return outcomes
}

/** Reads per kind. */
export const countKinds = (reads: ReadonlyArray<Read>): Record<ReadKind, number> => {
  const out: Record<ReadKind, number> = { metadata: 0, summary: 0, metric: 0, chart: 0, asset: 0, query: 0 }
  for (const r of reads) out[r.kind]++
  return out
}
