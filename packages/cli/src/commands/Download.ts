/**
 * `comet-ts download WS/PROJ/EXP [--type T] [--name GLOB] [--dir DIR] [--force]`: an
 * experiment's assets streamed to files, with a progress bar, resumable. Each file is written
 * under a temporary name (`NAME.comet-part`) and renamed when complete, so a file under its final
 * name is always whole; a second run skips the files already complete (same size as the asset
 * list says). Comet's asset download has no byte ranges in comet-ts's transport, so a partial
 * temporary file is started again from the beginning.
 *
 * Asset names come from the server and are made safe: a name cannot leave `DIR` (`..`, absolute
 * paths and drive letters are dropped) and two assets with one name get distinct files.
 *
 * @since 0.1.0
 */
import { CometApi, type Experiment } from "@comet-ts/api"
import { type Asset, type CometError, DecodeError, TransportError } from "@comet-ts/core"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { isPlatformError, type PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import picomatch from "picomatch"
import { commonOptions, withApi } from "../Client.js"
import { makeDirectories } from "../Directories.js"
import { FileError } from "../Errors.js"
import { Io } from "../Io.js"
import { type Cell, table } from "../Output.js"
import { withProgress } from "../Progress.js"

/**
 * One asset and the file it goes to (relative to the download directory).
 *
 * @since 0.1.0
 */
export interface PlannedFile {
  readonly asset: Asset
  readonly file: string
}

/** The suffix of a file being written. */
const PART = ".comet-part"

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a file name must not keep
const UNSAFE = /[<>:"|?*\\\u0000-\u001f\u007f]/g

/**
 * A server-given asset name as a relative path that stays inside the download directory.
 *
 * @since 0.1.0
 */
export const safeRelativePath = (fileName: string, assetId: string): string => {
  const segments = fileName
    .split(/[\\/]+/)
    .map((s) => s.trim().replace(UNSAFE, "_"))
    .filter((s) => s !== "" && s !== "." && s !== ".." && !/^\.+$/.test(s))
  return segments.length === 0 ? `asset-${assetId.replace(UNSAFE, "_")}` : segments.join("/")
}

const withSuffix = (path: string, suffix: string): string => {
  const slash = path.lastIndexOf("/")
  const dot = path.lastIndexOf(".")
  return dot > slash + 1 ? `${path.slice(0, dot)}.${suffix}${path.slice(dot)}` : `${path}.${suffix}`
}

/** Code-unit order: the same on every machine, whatever its locale. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Files for assets: safe names, the same every run for the same list (sorted by name, time and
 * id), and distinct even on case-insensitive file systems (a repeated name gets the asset id).
 *
 * @since 0.1.0
 */
export const plan = (assets: ReadonlyArray<Asset>): ReadonlyArray<PlannedFile> => {
  const sorted = [...assets].sort(
    (a, b) =>
      compare(a.fileName, b.fileName) || (a.createdAt ?? 0) - (b.createdAt ?? 0) || compare(a.assetId, b.assetId)
  )
  const taken = new Set<string>()
  return sorted.map((asset) => {
    const safe = safeRelativePath(asset.fileName, asset.assetId)
    // A name that looks like a file being written would be taken for one: keep it apart.
    const base = safe.toLowerCase().endsWith(PART) ? `${safe}_` : safe
    let file = base
    for (let n = 1; taken.has(file.toLowerCase()); n++) {
      file = withSuffix(
        base,
        n === 1 ? asset.assetId.replace(UNSAFE, "_") : `${asset.assetId.replace(UNSAFE, "_")}-${n}`
      )
    }
    taken.add(file.toLowerCase())
    return { asset, file }
  })
}

/**
 * What happened to one file.
 *
 * @since 0.1.0
 */
export type FileStatus = "downloaded" | "complete" | "replaced"

const fileError = (path: string, operation: string) => (e: PlatformError) =>
  new FileError({ path, operation, detail: e.message })

const human = (bytes: number): string => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"]
  let v = bytes
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`
}

/** Download one planned file; the bytes callback feeds the progress bar. */
const fetchFile = (
  experiment: Experiment,
  planned: PlannedFile,
  dir: string,
  force: boolean,
  onBytes: (n: number) => void
): Effect.Effect<
  { readonly status: FileStatus; readonly bytes: number },
  CometError | FileError,
  CometApi | FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const api = yield* CometApi
    const target = path.join(dir, ...planned.file.split("/"))
    const part = `${target}${PART}`
    const expected = planned.asset.fileSize
    const existing = yield* fs.stat(target).pipe(
      Effect.map(Option.some),
      Effect.catchTag("SystemError", (e) => (e.reason === "NotFound" ? Effect.succeedNone : Effect.fail(e))),
      Effect.mapError(fileError(target, "read"))
    )
    if (Option.isSome(existing) && existing.value.type !== "File") {
      return yield* Effect.fail(
        new FileError({ path: target, operation: "write", detail: "a directory is in the way" })
      )
    }
    const sizeOnDisk = Option.map(existing, (info) => Number(info.size))
    if (!force && Option.isSome(sizeOnDisk) && (expected === null || sizeOnDisk.value === expected)) {
      onBytes(sizeOnDisk.value)
      return { status: "complete" as const, bytes: sizeOnDisk.value }
    }
    yield* makeDirectories(path.dirname(target))
    // No byte ranges: a partial file from an earlier run starts again.
    yield* fs.remove(part, { force: true }).pipe(Effect.mapError(fileError(part, "remove")))
    let bytes = 0
    const written = api.streamExperimentAsset(experiment.key, planned.asset.assetId).pipe(
      Stream.tap((chunk) =>
        Effect.sync(() => {
          bytes += chunk.length
          onBytes(chunk.length)
        })
      ),
      Stream.run(fs.sink(part)),
      Effect.catchIf(isPlatformError, (e) => Effect.fail(fileError(part, "write")(e))),
      Effect.zipRight(
        Effect.suspend(() => {
          if (expected === null || bytes === expected) return Effect.void
          const detail = `${planned.asset.fileName}: ${bytes} bytes arrived, the asset list says ${expected}`
          return Effect.fail(
            bytes < expected
              ? new TransportError({ endpoint: "experiment/asset/get-asset", reason: "truncated", detail, attempts: 1 })
              : new DecodeError({ endpoint: "experiment/asset/get-asset", path: "", detail, excerpt: "" })
          )
        })
      ),
      Effect.zipRight(fs.rename(part, target).pipe(Effect.mapError(fileError(target, "write")))),
      // Never leave a partial file behind, however the download ends.
      Effect.onExit((exit) => (exit._tag === "Success" ? Effect.void : Effect.ignore(fs.remove(part, { force: true }))))
    )
    yield* written
    return { status: Option.isSome(existing) ? ("replaced" as const) : ("downloaded" as const), bytes }
  })

/**
 * `comet-ts download`.
 *
 * @since 0.1.0
 */
export const download = Command.make(
  "download",
  {
    ...commonOptions,
    type: Options.text("type").pipe(
      Options.withPseudoName("TYPE"),
      Options.withDescription(
        "only assets of this type: image, audio, video, text-sample, histogram_combined_3d, model-element, notebook, source_code, asset, …"
      ),
      Options.optional
    ),
    name: Options.text("name").pipe(
      Options.withPseudoName("GLOB"),
      Options.withDescription("only assets whose file name matches this glob, e.g. '*.png' or 'checkpoints/**'"),
      Options.optional
    ),
    dir: Options.text("dir").pipe(
      Options.withPseudoName("DIR"),
      Options.withDescription("where the files go (created if needed; default: the current directory)"),
      Options.withDefault(".")
    ),
    force: Options.boolean("force").pipe(Options.withDescription("download again files that are already complete")),
    experiment: Args.text({ name: "WS/PROJ/EXP" }).pipe(
      Args.withDescription("the experiment: workspace/project/experiment key or name")
    )
  },
  (flags) =>
    withApi(
      flags,
      Effect.gen(function* () {
        const io = yield* Io
        const api = yield* CometApi
        const experiment = yield* api.getExperiment(flags.experiment)
        const assets = yield* api.getExperimentAssetList(experiment.key, {
          assetType: Option.getOrUndefined(flags.type)
        })
        const matches = Option.match(flags.name, {
          onNone: () => () => true,
          onSome: (glob) => picomatch(glob, { dot: true, basename: true })
        })
        const planned = plan(assets.filter((a) => matches(a.fileName)))
        if (planned.length === 0) {
          yield* io.err(`comet-ts: no assets of ${flags.experiment} match; nothing to download.\n`)
          return
        }
        // The directory first: one clear failure (exit 7) instead of one per file.
        yield* makeDirectories(flags.dir)
        const known = planned.every((p) => p.asset.fileSize !== null)
        const total = known ? planned.reduce((n, p) => n + (p.asset.fileSize ?? 0), 0) : planned.length
        let done = 0
        const results = yield* withProgress(
          {
            total,
            format: known
              ? "Downloading [{bar}] {percentage}% | {done} of {size} | {eta_formatted}"
              : "Downloading [{bar}] {value}/{total} files",
            payload: { done: human(0), size: human(total) }
          },
          (progress) =>
            Effect.forEach(
              planned,
              (p) =>
                fetchFile(experiment, p, flags.dir, flags.force, (n) => {
                  if (!known) return
                  done += n
                  progress.update(done, { done: human(done), size: human(total) })
                }).pipe(
                  Effect.tap(() => Effect.sync(() => (known ? undefined : progress.update(++done)))),
                  // One failed file does not stop the others (each finishes or cleans up
                  // before the command reports); the first failure decides the exit code.
                  Effect.either,
                  Effect.map((result) => ({ result, planned: p }))
                ),
              { concurrency: 4 }
            )
        )
        const rows = results.map(
          ({ result, planned: p }): ReadonlyArray<Cell> =>
            Either.isRight(result)
              ? [p.file, human(result.right.bytes), result.right.status]
              : [p.file, p.asset.fileSize === null ? "" : human(p.asset.fileSize), "failed"]
        )
        const ok = results.flatMap(({ result }) => (Either.isRight(result) ? [result.right] : []))
        const fetched = ok.filter((r) => r.status !== "complete")
        const failed = results.flatMap(({ result }) => (Either.isLeft(result) ? [result.left] : []))
        const bytes = fetched.reduce((n, r) => n + r.bytes, 0)
        yield* io.out(table(["file", "size", "status"], rows))
        yield* io.out(
          `${fetched.length} downloaded (${human(bytes)}), ${ok.length - fetched.length} already complete${failed.length === 0 ? "" : `, ${failed.length} failed`}, in ${flags.dir}\n`
        )
        const first = failed[0]
        if (first !== undefined) return yield* Effect.fail(first)
      })
    )
).pipe(
  Command.withDescription(
    "Download an experiment's assets to files (streamed, resumable: complete files are skipped, partial ones never kept)."
  )
)
