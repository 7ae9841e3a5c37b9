/**
 * The dataset of the parity check (issue 14): the generated dataset of the conformance run plus a
 * project `local-dev/parity` whose runs make comet_ml and comet-ts meet every case where they
 * could differ — two runs with the same name, names for Python patterns, a parameter typed
 * `string` by one non-numeric value, tags for `~Tag`, start times for timezone-aware datetimes,
 * NaN/±Infinity and a gap in a metric, the three experiment states.
 *
 * Usage: node --import tsx parity-dataset.ts --seed N --out DATASET.json --facts FACTS.json
 * (FACTS names the keys and values both sides of the check use). packages/api/test imports
 * {@link parityDataset} to test the same cases without Python.
 */
import { createHash } from "node:crypto"
import { writeFileSync } from "node:fs"
import { pathToFileURL } from "node:url"
import { parseArgs } from "node:util"
import type { ConfigurationError } from "@comet-ts/core"
import { Effect } from "effect"
import { type Dataset, decodeDataset, encodeDataset } from "../src/Dataset.js"
import { generate } from "../src/Generator.js"

const key = (label: string) => createHash("sha256").update(`parity/${label}`).digest("hex").slice(0, 32)
const T0 = Date.UTC(2024, 0, 10, 12, 0, 0)
const HOUR = 3_600_000

interface Run {
  readonly label: string
  readonly name: string
  readonly hour: number
  readonly opt: string
  readonly pct: string
  readonly loss: ReadonlyArray<number | null>
  readonly tags: ReadonlyArray<string>
  readonly state: "finished" | "running" | "crashed"
  readonly acc?: ReadonlyArray<number | null>
}

/** Written as the JSON a dataset file holds (non-finite values as "NaN", "Infinity", "-Infinity"). */
const valueJson = (v: number | null) =>
  v === null ? null : Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : v

const runs: ReadonlyArray<Run> = [
  { label: "b1", name: "baseline", hour: 0, opt: "adam", pct: "100", loss: [0.9, 0.6], tags: ["x"], state: "finished" },
  { label: "b2", name: "baseline", hour: 1, opt: "sgd", pct: "55", loss: [0.8, 0.4], tags: [], state: "running" },
  {
    label: "k1",
    name: "keen_lemur",
    hour: 2,
    opt: "adam",
    pct: "9",
    loss: [0.5, 0.3],
    tags: ["x", "y"],
    state: "crashed"
  },
  { label: "k2", name: "KEENER", hour: 3, opt: "sgd", pct: "auto", loss: [0.9, 0.7], tags: ["y"], state: "finished" },
  {
    label: "k3",
    name: "peek",
    hour: 4,
    opt: "adam",
    pct: "70",
    loss: [1, Number.NaN, null, Number.POSITIVE_INFINITY],
    acc: [0.1, Number.NEGATIVE_INFINITY, 0.3, 0.4],
    tags: [],
    state: "finished"
  }
]

const experimentJson = (r: Run) => {
  const start = T0 + r.hour * HOUR
  const series = (name: string, vs: ReadonlyArray<number | null>, offset: number) => ({
    name,
    steps: vs.map((_, i) => i),
    values: vs.map(valueJson),
    // loss at start+10 s, +20 s, …; acc 5 s later, and at the same time as loss's second point.
    timestamps: vs.map((_, i) => start + (i + 1) * 10_000 + (i === 1 ? 0 : offset)),
    epochs: vs.map(() => 0),
    contexts: vs.map(() => null)
  })
  return {
    experimentKey: key(r.label),
    experimentName: r.name,
    userName: "local-dev",
    startTimeMillis: start,
    endTimeMillis: r.state === "running" ? null : start + HOUR / 2,
    running: r.state === "running",
    hasCrashed: r.state === "crashed",
    metrics: [series("loss", r.loss, 0), ...(r.acc === undefined ? [] : [series("acc", r.acc, 5_000)])],
    params: [
      { name: "opt", value: r.opt, timestamp: start + 1000, step: null, editable: false },
      { name: "pct", value: r.pct, timestamp: start + 1000, step: null, editable: false }
    ],
    others: [
      { name: "Name", value: r.name, timestamp: start + 500, step: null, editable: true },
      { name: "dataset", value: "mnist", timestamp: start + 600, step: null, editable: false }
    ],
    tags: r.tags
  }
}

/** What both sides of the check need to know about the parity project. */
export interface ParityFacts {
  readonly workspace: string
  readonly project: string
  /** Run label (b1, b2, k1, k2, k3) → experiment key. b1 and b2 are both named "baseline". */
  readonly keys: Readonly<Record<string, string>>
  readonly names: Readonly<Record<string, string>>
  readonly states: Readonly<Record<string, string>>
  readonly otherProject: string
  /** A run of `otherProject`. */
  readonly otherKey: string | null
  /** A run with a model. */
  readonly modelKey: string | null
  readonly t0: number
}

/** The generated dataset of `seed` plus the parity project, and its facts. */
export const parityDataset = (
  seed: number
): Effect.Effect<{ dataset: Dataset; facts: ParityFacts }, ConfigurationError> =>
  Effect.gen(function* () {
    const base = generate({ size: "small", seed })
    const json = encodeDataset(base) as unknown as { workspaces: Array<{ name: string; projects: Array<unknown> }> }
    const ws = json.workspaces.find((w) => w.name === "local-dev")
    if (ws === undefined) return yield* Effect.die(new Error("the generated dataset has no local-dev workspace"))
    ws.projects.push({
      projectId: key("project"),
      projectName: "parity",
      projectDescription: "issue 14: where comet_ml and comet-ts could differ",
      ownerUserName: "local-dev",
      notes: "",
      experiments: runs.map(experimentJson)
    })
    const dataset: Dataset = yield* decodeDataset(json)
    const sweep = base.workspaces
      .find((w) => w.name === "local-dev")
      ?.projects.find((p) => p.projectName === "mnist-sweep")
    const withModel = base.workspaces
      .flatMap((w) => w.projects)
      .flatMap((p) => p.experiments)
      .find((e) => !e.archived && e.models.length > 0)
    const facts: ParityFacts = {
      workspace: "local-dev",
      project: "parity",
      keys: Object.fromEntries(runs.map((r) => [r.label, key(r.label)])),
      names: Object.fromEntries(runs.map((r) => [r.label, r.name])),
      states: Object.fromEntries(runs.map((r) => [r.label, r.state])),
      otherProject: "mnist-sweep",
      otherKey: sweep?.experiments.find((e) => !e.archived)?.experimentKey ?? null,
      modelKey: withModel?.experimentKey ?? null,
      t0: T0
    }
    return { dataset, facts }
  })

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { seed: { type: "string" }, out: { type: "string" }, facts: { type: "string" } }
  })
  Effect.runPromise(parityDataset(Number(values.seed ?? "7")))
    .then(({ dataset, facts }) => {
      writeFileSync(values.out ?? "parity-dataset.json", JSON.stringify(encodeDataset(dataset)))
      writeFileSync(values.facts ?? "parity-facts.json", JSON.stringify(facts, null, 1))
    })
    .catch((e: unknown) => {
      console.error(`parity-dataset: ${e instanceof Error ? e.message : String(e)}`)
      process.exit(1)
    })
}
