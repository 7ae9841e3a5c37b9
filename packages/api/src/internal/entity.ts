/**
 * Answers about the entity asked for: an answer that names an experiment (or a project) must
 * name the one asked for. A per-experiment answer naming another experiment — in its
 * `experimentKey`, in the entries of its lists, in an asset's download link — and a chart answer
 * with an experiment that was not asked for, or filed under another experiment's key, are a
 * `DecodeError` naming the mismatch: never another experiment's data.
 *
 * @internal
 */
import { DecodeError } from "@comet-ts/core"
import * as Decode from "@comet-ts/core/Decode"
import * as Effect from "effect/Effect"
import { isRecord } from "./values.js"

/** The fields that name an experiment (Comet's camelCase, and the snake_case of older docstrings). */
const KEY_FIELDS = ["experimentKey", "experiment_key"] as const

/** Asset fields holding Comet's download link, whose `experimentKey` parameter names the experiment. */
const LINK_FIELDS = ["link", "compressedAssetLink"] as const

const keyIn = (o: Record<string, unknown>, field: string): string | null => {
  const v = o[field]
  return typeof v === "string" ? v : null
}

/** The experiment a download link names (its `experimentKey` parameter), or null. */
const linkKey = (link: string): string | null => {
  if (!link.includes("experimentKey=")) return null
  try {
    return new URL(link, "http://comet.invalid").searchParams.get("experimentKey")
  } catch {
    return null
  }
}

/** Where one object names an experiment other than `asked`: the field and the key it names. */
const foreignField = (o: Record<string, unknown>, asked: string): readonly [string, string] | null => {
  for (const f of KEY_FIELDS) {
    const k = keyIn(o, f)
    if (k !== null && k !== asked) return [f, k]
  }
  // A remote asset's link points wherever the user logged it; Comet's own links name the experiment.
  if (o.remote === true) return null
  for (const f of LINK_FIELDS) {
    const link = keyIn(o, f)
    const k = link === null ? null : linkKey(link)
    if (k !== null && k !== asked) return [f, k]
  }
  return null
}

/**
 * Where a per-experiment answer names an experiment other than `asked`: the answer itself, or
 * an entry of one of its lists (assets, models, summaries, metric points).
 */
const foreignIn = (value: unknown, asked: string): readonly [string, string] | null => {
  if (!isRecord(value)) return null
  const top = foreignField(value, asked)
  if (top !== null) return top
  // own enumerable fields, in Object.entries' order, with no array of entries built per answer
  for (const name in value) {
    if (!Object.hasOwn(value, name)) continue
    const v = value[name]
    if (!Array.isArray(v)) continue
    for (let i = 0; i < v.length; i++) {
      const entry: unknown = v[i]
      if (!isRecord(entry)) continue
      const hit = foreignField(entry, asked)
      if (hit !== null) return [`${Decode.formatPath([name, i])}.${hit[0]}`, hit[1]]
    }
  }
  return null
}

const mismatch = (endpoint: string, path: string, detail: string, named: string): DecodeError =>
  new DecodeError({ endpoint, path, detail, excerpt: Decode.excerpt(`${path}: ${JSON.stringify(named)}`) })

const about = (what: string, named: string, asked: string) =>
  `the answer is about ${what} ${JSON.stringify(named)}, but ${what} ${JSON.stringify(asked)} was asked for; another ${what}'s data is never returned as the one asked for`

/**
 * The answer to a per-experiment read, checked to be about `experimentKey`, then `project`ed
 * (the part the caller returns: checking and taking it in one step; `identity` for all of it).
 *
 * @internal
 */
export const sameExperiment =
  <A, B>(endpoint: string, experimentKey: string, project: (answer: A) => B) =>
  (answer: A): Effect.Effect<B, DecodeError> => {
    const foreign = foreignIn(answer, experimentKey)
    return foreign === null
      ? Effect.succeed(project(answer))
      : Effect.fail(mismatch(endpoint, foreign[0], about("experiment", foreign[1], experimentKey), foreign[1]))
  }

/**
 * A project answer, checked to be about the project id asked for.
 *
 * @internal
 */
export const sameProject =
  (endpoint: string, projectId: string) =>
  <A extends { readonly projectId: string }>(answer: A): Effect.Effect<A, DecodeError> =>
    answer.projectId === projectId
      ? Effect.succeed(answer)
      : Effect.fail(mismatch(endpoint, "projectId", about("project", answer.projectId, projectId), answer.projectId))

/**
 * The experiments of a chart answer, checked against the keys asked for: every experiment was
 * asked for, and each is filed under its own key.
 *
 * @internal
 */
export const chartExperiments = <E extends { readonly experimentKey: string }>(
  endpoint: string,
  asked: ReadonlySet<string>,
  experiments: Readonly<Record<string, E>>
): Effect.Effect<Readonly<Record<string, E>>, DecodeError> => {
  for (const [key, e] of Object.entries(experiments)) {
    const at = Decode.formatPath(["experiments", key])
    if (!asked.has(key)) {
      return Effect.fail(
        mismatch(
          endpoint,
          at,
          `the answer has experiment ${JSON.stringify(key)}, which was not asked for; another experiment's data is never merged in`,
          key
        )
      )
    }
    const inner = foreignField(e as unknown as Record<string, unknown>, key)
    if (inner !== null) {
      return Effect.fail(
        mismatch(
          endpoint,
          `${at}.${inner[0]}`,
          `the answer files experiment ${JSON.stringify(inner[1])} under the key ${JSON.stringify(key)}; another experiment's data is never returned as the one asked for`,
          inner[1]
        )
      )
    }
  }
  return Effect.succeed(experiments)
}
