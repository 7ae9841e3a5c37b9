/** The README's code is real code: each example is a file that `pnpm check` type-checks or `pnpm test` runs. */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"

const root = join(import.meta.dirname, "..", "..", "..")
const readme = readFileSync(join(root, "README.md"), "utf8")
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "")
const file = (path: string) => readFileSync(join(root, path), "utf8")
const body = (text: string) => text.replace(/^\/\/ The README's quickstart.*\n/, "").trimEnd()

describe("README examples", () => {
  it("the Promise quickstart is examples/demo/src/quickstart/promise.ts", () => {
    const block = blocks.find((b) => b.includes("await using api = new API()"))
    assert.strictEqual(block?.trimEnd(), body(file("examples/demo/src/quickstart/promise.ts")))
  })
  it("the Effect quickstart is examples/demo/src/quickstart/effect.ts", () => {
    const block = blocks.find((b) => b.includes("CometApiLayer.layerConfig"))
    assert.strictEqual(block?.trimEnd(), body(file("examples/demo/src/quickstart/effect.ts")))
  })
  it("the dashboard helpers example is examples/demo/src/quickstart/dashboard.ts", () => {
    const block = blocks.find((b) => b.includes("Chart.series(chart[exp.key]"))
    assert.strictEqual(block?.trimEnd(), body(file("examples/demo/src/quickstart/dashboard.ts")))
  })
  it("the testing example is packages/api/test/Readme.test.ts", () => {
    const block = blocks.find((b) => b.includes('describe("my panel"'))
    assert.strictEqual(block?.trimEnd(), file("packages/api/test/Readme.test.ts").trimEnd())
  })
})
