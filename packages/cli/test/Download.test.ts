/**
 * `comet-ts download` against the emulator into a temporary directory: the files' bytes, resuming
 * (complete files skipped, partial ones started again, never a partial file under a final name),
 * filters, names a hostile server could send, and failures.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative, sep } from "node:path"
import { CometApi, Testing } from "@comet-ts/api"
import type * as Emulator from "@comet-ts/emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { plan, safeRelativePath } from "../src/commands/Download.js"
import { ExitCode } from "../src/index.js"
import { baseEnv, clientOf, dataset, emulator, runCli } from "./support/run.js"

const project = dataset.workspaces[0]!.projects.find((p) => p.projectName === "mnist-sweep")!
const experiment = project.experiments.find((e) => !e.archived && e.assets.length >= 4)!
const TARGET = `local-dev/mnist-sweep/${experiment.experimentKey}`

const tempDir = () => mkdtempSync(join(tmpdir(), "comet-ts-download-"))

/** Every file under a directory, relative, with `/`. */
const files = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split(sep).join("/"))
    .sort()

const requestsTo = (emu: Emulator.EmulatorShape, endpoint: string) =>
  Effect.map(emu.stats.snapshot, (s) => s.byEndpoint[endpoint]?.requests ?? 0)

describe("download", () => {
  it.live("writes every asset, byte for byte, and lists them", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const emu = yield* emulator()
      const out = yield* runCli(["download", TARGET, "--dir", dir], { client: clientOf(emu) })
      assert.strictEqual(out.code, 0, out.stderr)
      assert.strictEqual(out.stderr, "")
      const planned = plan(experiment.assets.map(toAsset))
      assert.deepStrictEqual(files(dir), planned.map((p) => p.file).sort())
      const bytes = yield* Effect.flatMap(CometApi, (api) =>
        Effect.forEach(planned, (p) => api.getExperimentAsset(experiment.experimentKey, p.asset.assetId))
      ).pipe(Effect.provide(Testing.layerClient(clientOf(emu))))
      planned.forEach((p, i) => {
        assert.deepStrictEqual(new Uint8Array(readFileSync(join(dir, p.file))), bytes[i])
        assert.include(out.stdout, p.file)
      })
      assert.include(out.stdout, `${planned.length} downloaded`)
    })
  )

  it.live("a second run skips complete files without downloading them", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      yield* runCli(["download", TARGET, "--dir", dir])
      const emu = yield* emulator()
      const again = yield* runCli(["download", TARGET, "--dir", dir], { client: clientOf(emu) })
      assert.strictEqual(again.code, 0)
      assert.include(again.stdout, `0 downloaded (0 B), ${experiment.assets.length} already complete`)
      assert.strictEqual(yield* requestsTo(emu, "experiment/asset/get-asset"), 0)
      const forced = yield* runCli(["download", TARGET, "--dir", dir, "--force"], { client: clientOf(emu) })
      assert.strictEqual(forced.code, 0)
      assert.strictEqual(yield* requestsTo(emu, "experiment/asset/get-asset"), experiment.assets.length)
      assert.include(forced.stdout, "replaced")
    })
  )

  it.live("a partial file of an earlier run is started again; a wrong-size file is replaced", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      yield* runCli(["download", TARGET, "--dir", dir])
      const [first, second] = files(dir)
      const whole = readFileSync(join(dir, first!))
      // An interrupted run left a temporary file and no final one; another file was cut short.
      writeFileSync(join(dir, `${first}.comet-part`), whole.subarray(0, 3))
      rmSync(join(dir, first!))
      writeFileSync(join(dir, second!), "short")
      const out = yield* runCli(["download", TARGET, "--dir", dir])
      assert.strictEqual(out.code, 0, out.stderr)
      assert.deepStrictEqual(readFileSync(join(dir, first!)), whole)
      assert.isFalse(files(dir).some((f) => f.endsWith(".comet-part")))
      assert.match(out.stdout, new RegExp(`${second!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s.*replaced`))
      assert.include(out.stdout, "2 downloaded")
    })
  )

  it.live("--name GLOB and --type filter the assets", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const png = yield* runCli(["download", TARGET, "--dir", dir, "--name", "*.png"])
      assert.strictEqual(png.code, 0)
      const expected = experiment.assets.filter((a) => a.fileName.endsWith(".png"))
      assert.isAbove(expected.length, 0)
      assert.deepStrictEqual(files(dir).length, expected.length)
      assert.isTrue(files(dir).every((f) => f.endsWith(".png")))
      const dir2 = tempDir()
      const images = yield* runCli(["download", TARGET, "--dir", dir2, "--type", "image"])
      assert.strictEqual(images.code, 0)
      assert.strictEqual(files(dir2).length, experiment.assets.filter((a) => a.type === "image").length)
      const none = yield* runCli(["download", TARGET, "--dir", tempDir(), "--name", "*.nothing"])
      assert.strictEqual(none.code, 0)
      assert.include(none.stderr, "nothing to download")
    })
  )

  it.live("names a hostile server sends stay inside --dir, and distinct", () =>
    Effect.gen(function* () {
      const names = [
        "../../escape.txt",
        "/etc/passwd",
        "a/../../b.txt",
        "C:\\Windows\\evil.txt",
        "dup.txt",
        "dup.txt",
        "DUP.txt",
        "..",
        "",
        "x.comet-part",
        "bad\u001b[2Jname?.txt"
      ]
      const hostile = withAssets(
        names.map((fileName, i) => ({
          assetId: `${i}`.padStart(32, "a"),
          fileName,
          type: "asset",
          dir: null,
          step: null,
          runContext: null,
          createdAt: 1_700_000_000_000 + i,
          metadata: null,
          remote: false,
          remoteUri: null,
          tags: [],
          content: { text: `content ${i}` }
        }))
      )
      const root = tempDir()
      const dir = join(root, "inside")
      const out = yield* runCli(["download", TARGET, "--dir", dir], {
        client: clientOf(yield* emulator({ dataset: hostile }))
      })
      assert.strictEqual(out.code, 0, out.stderr)
      const written = files(root)
      assert.strictEqual(written.length, names.length)
      assert.isTrue(written.every((f) => f.startsWith("inside/")))
      assert.strictEqual(new Set(written.map((f) => f.toLowerCase())).size, names.length)
      assert.isFalse(written.some((f) => f.endsWith(".comet-part")))
      const contents = written.map((f) => readFileSync(join(root, f), "utf8")).sort()
      assert.deepStrictEqual(contents, names.map((_, i) => `content ${i}`).sort())
      assert.notInclude(out.stdout, "\u001b")
    })
  )

  it.live("a download cut short fails with 5 and leaves neither the file nor a partial one", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const emu = yield* emulator({ faults: "truncate:1@experiment/asset/get-asset" })
      // every answer cut at the same point: the download resumes, makes no progress, and gives up
      // after its retries (one here, to keep the test short)
      const out = yield* runCli(["download", TARGET, "--dir", dir], {
        client: clientOf(emu),
        env: { ...baseEnv, COMET_HTTP_SESSION_RETRY_TOTAL: "1" }
      })
      assert.strictEqual(out.code, ExitCode.unavailable)
      assert.include(out.stderr, "truncated")
      assert.deepStrictEqual(files(dir), [])
    })
  )

  it.live("an asset shorter or longer than the asset list says fails; no file is kept under its name", () =>
    Effect.gen(function* () {
      const emu = yield* emulator()
      for (const delta of [10, -1]) {
        // A server whose asset list disagrees with the bytes it sends.
        const lying = clientOf({
          fetch: async (input, init) => {
            const response = await emu.fetch(input, init)
            if (!String(input instanceof Request ? input.url : input).includes("experiment/asset/list")) return response
            const body = (await response.json()) as { assets: Array<{ fileSize: number }> }
            for (const a of body.assets) a.fileSize += delta
            return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } })
          }
        })
        const dir = tempDir()
        const out = yield* runCli(["download", TARGET, "--dir", dir, "--name", "*.yaml"], { client: lying })
        assert.strictEqual(out.code, delta > 0 ? ExitCode.unavailable : ExitCode.protocol, out.stderr)
        assert.include(out.stderr, "the asset list says")
        assert.deepStrictEqual(files(dir), [])
      }
    })
  )

  it.live("a directory that cannot be written is 7", () =>
    Effect.gen(function* () {
      const root = tempDir()
      writeFileSync(join(root, "file"), "x")
      const out = yield* runCli(["download", TARGET, "--dir", join(root, "file", "sub")])
      assert.strictEqual(out.code, ExitCode.localFile)
      assert.match(out.stderr, /^comet-ts: could not .*file/)
      assert.strictEqual(out.stderr.split("\n").filter((l) => l.length > 0).length, 1)
    })
  )

  // Node 20's recursive mkdir never settles under /proc: each level is made on its own instead.
  it.live.each(["/proc/comet-ts-nope", "/proc/comet-ts-nope/a/b", "/proc/self/comet-ts-nope"])(
    "a directory where none can exist (%s) is 7 at once, naming it",
    (dir) =>
      Effect.gen(function* () {
        const out = yield* runCli(["download", TARGET, "--dir", dir, "--name", "*.yaml"])
        assert.strictEqual(out.code, ExitCode.localFile, out.stderr)
        assert.include(out.stderr, `could not create the directory ${dir}: `)
        assert.strictEqual(out.stderr.split("\n").filter((l) => l.length > 0).length, 1)
      }).pipe(Effect.timeout("20 seconds"))
  )

  it.live("missing parents are made level by level", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const out = yield* runCli(["download", TARGET, "--dir", join(root, "a", "b", "c")])
      assert.strictEqual(out.code, 0, out.stderr)
      assert.strictEqual(files(join(root, "a", "b", "c")).length, experiment.assets.length)
    })
  )
})

describe("safe file names", () => {
  it("never leave the directory", () => {
    for (const [name, safe] of [
      ["../../x", "x"],
      ["/abs/y.png", "abs/y.png"],
      ["a\\b\\..\\c", "a/b/c"],
      ["..", "asset-id1"],
      ["   ", "asset-id1"],
      ["ok/name.txt", "ok/name.txt"],
      ["q?.txt", "q_.txt"]
    ] as const) {
      assert.strictEqual(safeRelativePath(name, "id1"), safe, name)
      const resolved = relative("/base", join("/base", safe))
      assert.isFalse(resolved.startsWith(".."))
    }
  })
})

/** The asset list entry the server gives for a dataset asset (for `plan`). */
const toAsset = (a: (typeof experiment.assets)[number]) => ({
  assetId: a.assetId as never,
  fileName: a.fileName,
  fileSize: null,
  runContext: null,
  step: null,
  remote: false,
  link: null,
  compressedAssetLink: null,
  curlDownload: null,
  createdAt: a.createdAt,
  dir: null,
  canView: false,
  audio: false,
  video: false,
  histogram: false,
  image: false,
  type: a.type,
  metadata: null,
  tags: []
})

/** The dataset with the test experiment's assets replaced. */
const withAssets = (assets: ReadonlyArray<(typeof experiment.assets)[number]>): Emulator.Dataset => ({
  ...dataset,
  workspaces: dataset.workspaces.map((w) => ({
    ...w,
    projects: w.projects.map((p) => ({
      ...p,
      experiments: p.experiments.map((e) => (e.experimentKey === experiment.experimentKey ? { ...e, assets } : e))
    }))
  }))
})
