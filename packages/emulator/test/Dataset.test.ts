import { createHash } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigurationError } from "@comet-ts/core"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import * as fc from "fast-check"
import { type Dataset, datasetJsonSchema, decodeDataset, encodeDataset, loadDataset } from "../src/Dataset.js"
import { describe as describeDataset, generate } from "../src/Generator.js"
import { contentBytes, contentStream, crc32, renderPng, zipStore } from "../src/internal/content.js"
import { isSynthetic, lastValue, materialize, pointAt, seriesLength } from "../src/Series.js"

const decode = (json: unknown) => Effect.runSync(Effect.either(decodeDataset(json)))

describe("dataset format", () => {
  it("a generated dataset encodes to JSON and decodes back to the same value", () => {
    const d = generate({ size: "small", seed: 9 })
    const json = JSON.parse(JSON.stringify(encodeDataset(d)))
    const back = decode(json)
    assert.isTrue(Either.isRight(back))
    if (Either.isRight(back)) assert.deepStrictEqual(back.right, d)
  })

  it.effect("loads a file; a bad file is a ConfigurationError naming the problem", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "emulator-dataset-"))
      const good = join(dir, "good.json")
      writeFileSync(good, JSON.stringify({ version: 1, workspaces: [{ name: "w" }] }))
      const d = yield* loadDataset(good)
      assert.deepStrictEqual(d, { version: 1, users: [], workspaces: [{ name: "w", projects: [] }] })
      const cases: Array<[string, string, string]> = [
        ["missing.json", "", "cannot read"],
        ["not-json.json", "{", "is not JSON"],
        ["wrong-version.json", JSON.stringify({ version: 2, workspaces: [] }), "version"],
        ["typo.json", JSON.stringify({ version: 1, workspace: [] }), "workspace"]
      ]
      for (const [name, text, fragment] of cases) {
        const path = join(dir, name)
        if (text !== "") writeFileSync(path, text)
        const r = yield* Effect.either(loadDataset(path))
        assert.isTrue(Either.isLeft(r), name)
        if (Either.isLeft(r)) {
          assert.instanceOf(r.left, ConfigurationError)
          assert.include(r.left.message, fragment)
          assert.include(r.left.message, path, "the message names the file")
        }
      }
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it("rejects duplicate keys, mismatched series and keys that see unknown workspaces", () => {
    const exp = { experimentKey: "k", startTimeMillis: 0 }
    const bad: Array<[unknown, string]> = [
      [{ version: 1, workspaces: [{ name: "w" }, { name: "w" }] }, "appears twice"],
      [
        {
          version: 1,
          workspaces: [{ name: "w", projects: [{ projectId: "p", projectName: "a", experiments: [exp, exp] }] }]
        },
        "experimentKey k appears twice"
      ],
      [
        {
          version: 1,
          workspaces: [
            {
              name: "w",
              projects: [
                {
                  projectId: "p",
                  projectName: "a",
                  experiments: [{ ...exp, metrics: [{ name: "m", steps: [1, 2], values: [1], timestamps: [1] }] }]
                }
              ]
            }
          ]
        },
        "one entry per point"
      ],
      [
        { version: 1, users: [{ userName: "u", apiKey: "k", workspaces: ["nope"] }], workspaces: [] },
        "unknown workspace"
      ]
    ]
    for (const [json, fragment] of bad) {
      const r = decode(json)
      assert.isTrue(Either.isLeft(r))
      if (Either.isLeft(r)) assert.include(r.left.message, fragment)
    }
  })

  it("has a JSON Schema", () => {
    const schema = datasetJsonSchema() as { $schema?: string }
    assert.include(JSON.stringify(schema), "experimentKey")
  })
})

describe("generator", () => {
  it("is deterministic under its seed", () => {
    assert.deepStrictEqual(generate({ size: "small", seed: 3 }), generate({ size: "small", seed: 3 }))
    assert.notDeepEqual(generate({ size: "small", seed: 3 }), generate({ size: "small", seed: 4 }))
  })

  it("sizes: medium is 2,000 experiments × 20 metrics × 1,000 steps (val metrics every 10 steps)", () => {
    const small = describeDataset(generate({ size: "small", seed: 1 }))
    assert.strictEqual(small.experiments, 48)
    const medium = generate({ size: "medium", seed: 1 })
    const m = describeDataset(medium)
    assert.strictEqual(m.experiments, 2000)
    assert.strictEqual(m.series, 40_000)
    const e = medium.workspaces[0]!.projects[0]!.experiments.find((x) => !x.hasCrashed)!
    assert.strictEqual(seriesLength(e.metrics.find((s) => s.name === "loss")!), 1000)
    assert.strictEqual(seriesLength(e.metrics.find((s) => s.name === "val_loss")!), 100)
    assert.isTrue(m.points > 25_000_000, `${m.points} points`)
  })

  it("training runs look like training runs", () => {
    const d = generate({ size: "small", seed: 2 })
    const exps = d.workspaces.flatMap((w) => w.projects.flatMap((p) => p.experiments))
    for (const e of exps) {
      const loss = e.metrics.find((s) => s.name === "loss")!
      const acc = e.metrics.find((s) => s.name === "accuracy")!
      const l = materialize(loss)
      assert.isTrue((lastValue(loss) as number) < (l.values[0] as number) / 2, "loss falls")
      assert.isTrue((lastValue(acc) as number) > (materialize(acc).values[0] as number) + 0.3, "accuracy rises")
      for (let i = 1; i < l.length; i++) assert.isTrue((l.timestamps[i] as number) > (l.timestamps[i - 1] as number))
      assert.isTrue(e.metrics.some((s) => s.name.startsWith("sys.")))
    }
    assert.isTrue(exps.some((e) => e.archived))
    assert.isTrue(exps.some((e) => e.running))
    assert.isTrue(exps.filter((e) => e.tags.includes("best")).length >= 4)
    const lrs = new Set(exps.map((e) => e.params.find((p) => p.name === "learning_rate")!.value))
    assert.strictEqual(lrs.size, exps.length, "a sweep: every run has its own learning rate")
    assert.isTrue(exps.some((e) => e.models.some((m) => m.registryRecords.length > 0)))
  })

  it("images are real PNGs", () => {
    const e = generate({ size: "small", seed: 1 }).workspaces[0]!.projects[0]!.experiments[0]!
    const img = e.assets.find((a) => a.type === "image")!
    const png = contentBytes(img.content)
    assert.deepStrictEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10])
    const view = new DataView(png.buffer, png.byteOffset)
    assert.strictEqual(view.getUint32(16), 32)
    assert.strictEqual(view.getUint32(20), 32)
    // Every chunk's CRC is right.
    let o = 8
    while (o < png.length) {
      const len = view.getUint32(o)
      const crc = view.getUint32(o + 8 + len)
      assert.strictEqual(crc32(png, o + 4, o + 8 + len), crc)
      o += 12 + len
    }
    assert.strictEqual(o, png.length)
  })
})

describe("content", () => {
  it("png sizes follow the image", () => {
    assert.notDeepEqual(renderPng(8, 8, 1), renderPng(8, 8, 2))
    assert.deepStrictEqual(renderPng(8, 8, 1), renderPng(8, 8, 1))
  })

  it("zip: entries stored with the right CRC", () => {
    const bytes = new TextEncoder().encode("hello")
    const zip = zipStore([{ name: "a.txt", bytes }])
    const view = new DataView(zip.buffer, zip.byteOffset)
    assert.strictEqual(view.getUint32(0, true), 0x04034b50)
    assert.strictEqual(view.getUint32(14, true), crc32(bytes))
    assert.strictEqual(view.getUint32(zip.length - 22, true), 0x06054b50)
  })

  it("synthetic content is the same however it is read: whole, or streamed in 1 MiB runs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_300_000 }), fc.integer(), (size, seed) => {
        const content = { synthetic: { size, seed } }
        const bytes = contentBytes(content)
        assert.strictEqual(bytes.length, size)
        assert.deepStrictEqual(bytes, contentBytes(content))
        const runs = Chunk.toReadonlyArray(Effect.runSync(Stream.runCollect(contentStream(content))))
        assert.deepStrictEqual(
          runs.map((r) => r.length),
          Array.from({ length: Math.ceil(size / (1024 * 1024)) }, (_, i) =>
            Math.min(1024 * 1024, size - i * 1024 * 1024)
          )
        )
        assert.isTrue(Buffer.from(Buffer.concat(runs)).equals(Buffer.from(bytes)))
      }),
      { numRuns: 25 }
    )
  })

  it("synthetic bytes are fixed: a dataset names the same bytes in every release", () => {
    // sha256 of the bytes as first defined (one xorshift32 chain per 64 KiB chunk, seeded by
    // hashInts(seed, index, 0x5a5a)): a change here changes every user's synthetic assets.
    const digest = (size: number, seed: number) =>
      createHash("sha256")
        .update(contentBytes({ synthetic: { size, seed } }))
        .digest("hex")
    assert.strictEqual(digest(200_003, 42), "d3497e6d5fc87b12981d218c598395d484ea4f73adbd0c79aa9287b70408c395")
    assert.strictEqual(digest(1_114_114, 3), "2be3d680877ad0c13c4ef9998af80932afe9e5ce6adce923b12e5adadb0cd7ae")
    const streamed = createHash("sha256")
    for (const run of Effect.runSync(Stream.runCollect(contentStream({ synthetic: { size: 4_194_309, seed: -7 } }))))
      streamed.update(run)
    assert.strictEqual(streamed.digest("hex"), "448eb1fdf20a7df3cedf7f3aaf3b1b701e39d676773964cf70724579b44797b1")
  })
})

describe("series", () => {
  it("materialised points equal random access, for any recipe", () => {
    const spec = fc.record({
      shape: fc.constantFrom("exponential" as const, "linear" as const, "constant" as const, "sine" as const),
      from: fc.double({ min: -10, max: 10, noNaN: true }),
      to: fc.double({ min: -10, max: 10, noNaN: true }),
      noise: fc.double({ min: 0, max: 1, noNaN: true }),
      cycles: fc.constant(3),
      seed: fc.integer(),
      length: fc.integer({ min: 0, max: 300 }),
      stepStart: fc.constant(0),
      stepEvery: fc.integer({ min: 1, max: 5 }),
      stepsPerEpoch: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }),
      startTime: fc.constant(1_700_000_000_000),
      interval: fc.integer({ min: 10, max: 1000 }),
      context: fc.option(fc.constantFrom("train", "validate"), { nil: null })
    })
    fc.assert(
      fc.property(spec, (synthetic) => {
        const s = { name: "m", synthetic }
        assert.isTrue(isSynthetic(s))
        const p = materialize(s)
        assert.strictEqual(p.length, synthetic.length)
        for (let i = 0; i < p.length; i += Math.max(1, Math.floor(p.length / 7))) {
          const pt = pointAt(s, i)
          assert.strictEqual(pt.value, p.values[i])
          assert.strictEqual(pt.timestamp, p.timestamps[i])
          assert.strictEqual(pt.step, p.steps[i])
          if (i > 0) assert.isTrue((p.timestamps[i] as number) > (p.timestamps[i - 1] as number))
        }
        assert.strictEqual(lastValue(s), p.length === 0 ? null : p.values[p.length - 1])
      }),
      { numRuns: 50 }
    )
  })

  it("explicit series keep their nulls", () => {
    const s = {
      name: "m",
      steps: [0, null],
      values: [1.5, null],
      timestamps: [10, 20],
      epochs: [null, 1],
      contexts: [null, "x"]
    }
    const p = materialize(s)
    assert.deepStrictEqual(pointAt(s, 1), { step: null, value: null, epoch: 1, timestamp: 20, context: "x" })
    assert.isTrue(Number.isNaN(p.steps[1] as number))
    // A null value is a gap: marked, and the last value is the last point that has one.
    assert.deepStrictEqual([...(p.gaps ?? [])], [0, 1])
    assert.strictEqual(lastValue(s), 1.5)
    assert.strictEqual(lastValue({ ...s, values: [null, null] }), null)
    assert.isNull(materialize({ ...s, values: [1.5, Number.NaN] }).gaps, "NaN is a value, not a gap")
  })
})

const _typecheck: Dataset | undefined = undefined
void _typecheck
