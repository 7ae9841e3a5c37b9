/**
 * The README's browser section shows the example that `Browser.test.ts` runs in headless
 * Chromium: its page and proxy blocks are those files, character for character.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"

const root = join(import.meta.dirname, "..", "..", "..")
const readme = readFileSync(join(root, "README.md"), "utf8")
const section = readme.slice(
  readme.indexOf("\n## Browsers\n"),
  readme.indexOf("\n## ", readme.indexOf("\n## Browsers\n") + 1)
)
const block = (lang: string, marker: string) =>
  [...section.matchAll(new RegExp(`\`\`\`${lang}(?: [^\\n]*)?\\n([\\s\\S]*?)\`\`\``, "g"))]
    .map((m) => m[1] ?? "")
    .find((b) => b.includes(marker))
const file = (path: string) => readFileSync(join(root, path), "utf8")

describe("README: Browsers", () => {
  it("the page block is examples/browser/page.ts", () => {
    assert.strictEqual(block("ts", "window.location.origin"), file("examples/browser/page.ts"))
  })
  it("the proxy block is examples/browser/proxy.mjs", () => {
    assert.strictEqual(block("js", "createServer"), file("examples/browser/proxy.mjs"))
  })
  it("the run commands name the example's scripts", () => {
    const scripts = (JSON.parse(file("examples/browser/package.json")) as { scripts: Record<string, string> }).scripts
    const sh = block("sh", "example-browser") ?? ""
    for (const script of Object.keys(scripts)) assert.include(sh, `pnpm --filter @comet-ts/example-browser ${script}`)
    assert.include(sh, "pnpm emulator")
  })
})
