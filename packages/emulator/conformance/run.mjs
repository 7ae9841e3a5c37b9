// Driver of the conformance check: expectations from the dataset, the emulator CLI on a free
// port, the Python SDK against it, then the parity check (comet_ml and comet-ts asked the same
// questions on a second emulator, answers compared by parity-rules.mjs), a table and a JSON report.
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { compare } from "./parity-rules.mjs"

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, "..", "..", "..")
const { values } = parseArgs({
  options: { python: { type: "string" }, report: { type: "string" }, seed: { type: "string" } }
})
const python = values.python ?? "python3"
const report = values.report ?? join(here, "report.json")
const seed = values.seed ?? "7"
const outDir = join(here, "out")
mkdirSync(outDir, { recursive: true })
mkdirSync(dirname(report), { recursive: true })

const run = (cmd, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: "inherit", ...options })
    child.on("error", reject)
    child.on("exit", (code, signal) => resolve({ code, signal }))
  })

const extra = []
const started = Date.now()

// 1. What the SDK must return, from the dataset itself.
const expected = join(outDir, "expected.json")
const gen = await run(
  process.execPath,
  ["--import", "tsx", join(here, "expectations.ts"), "--seed", seed, "--out", expected],
  { cwd: root }
)
if (gen.code !== 0) {
  console.error("conformance: could not compute the expectations")
  process.exit(1)
}

// 2. The emulator CLI, as users start it, on a free port.
const startEmulator = (args) => {
  const child = spawn(process.execPath, [join(here, "..", "scripts", "emulator.mjs"), "--port", "0", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"]
  })
  const listening = new Promise((resolve, reject) => {
    let buf = ""
    const timer = setTimeout(
      () => reject(new Error("the emulator did not print its listening line within 60 s")),
      60_000
    )
    child.stdout.on("data", (d) => {
      buf += d.toString()
      const m = /^comet emulator listening on (http:\/\/\S+)$/m.exec(buf)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.on("exit", (code) => reject(new Error(`the emulator exited early (${code})`)))
  })
  return { child, listening }
}
const cliStart = Date.now()
const first = startEmulator(["--generate", "small", "--seed", seed])
const emulator = first.child
const url = await first.listening
extra.push({
  method: "CLI: prints `comet emulator listening on http://HOST:PORT`",
  binding: "pnpm emulator --port 0 --generate small",
  ok: true,
  detail: `${url} after ${Date.now() - cliStart} ms`
})

// 3. The SDK against it.
const home = mkdtempSync(join(tmpdir(), "comet-conformance-"))
const results = join(outDir, "results.json")
const pythonEnv = (serverUrl) => ({
  ...process.env,
  HOME: home,
  COMET_URL_OVERRIDE: `${serverUrl}/clientlib/`,
  COMET_API_KEY: "local-dev-key",
  COMET_WORKSPACE: "local-dev",
  COMET_PROJECT_NAME: "mnist-sweep",
  COMET_ERROR_TRACKING_ENABLE: "false",
  COMET_DISABLE_ANNOUNCEMENT: "true",
  COMET_LOGGING_CONSOLE: "ERROR",
  NO_PROXY: "127.0.0.1,localhost",
  no_proxy: "127.0.0.1,localhost"
})
const py = await run(python, [join(here, "check.py"), "--expected", expected, "--results", results], {
  cwd: home,
  env: pythonEnv(url)
})

// 4. Clean shutdown on SIGTERM.
const exited = new Promise((resolve) => emulator.on("exit", (code, signal) => resolve({ code, signal })))
emulator.kill("SIGTERM")
const stop = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 10_000))])
extra.push({
  method: "CLI: exits cleanly on SIGTERM",
  binding: "kill -TERM <emulator>",
  ok: stop !== null && stop.code === 0,
  detail:
    stop === null ? "still running after 10 s" : `exit code ${stop.code}${stop.signal ? `, signal ${stop.signal}` : ""}`
})
if (stop === null) emulator.kill("SIGKILL")

// 5. Parity (issue 14): comet_ml and comet-ts asked the same questions about the parity dataset,
// on a second emulator; their answers are compared item by item (parity-rules.mjs).
const parityRows = []
const parityFiles = {
  dataset: join(outDir, "parity-dataset.json"),
  facts: join(outDir, "parity-facts.json"),
  py: join(outDir, "parity-comet_ml.json"),
  ts: join(outDir, "parity-comet-ts.json")
}
for (const f of [parityFiles.py, parityFiles.ts]) rmSync(f, { force: true })
const made = await run(
  process.execPath,
  [
    "--import",
    "tsx",
    join(here, "parity-dataset.ts"),
    "--seed",
    seed,
    "--out",
    parityFiles.dataset,
    "--facts",
    parityFiles.facts
  ],
  { cwd: root }
)
if (made.code !== 0) {
  parityRows.push({ method: "parity: dataset", binding: "parity-dataset.ts", ok: false, detail: `exit ${made.code}` })
} else {
  const second = startEmulator(["--dataset", parityFiles.dataset, "--seed", seed])
  const parityUrl = await second.listening
  const pyParity = await run(python, [join(here, "parity.py"), "--facts", parityFiles.facts, "--out", parityFiles.py], {
    cwd: home,
    env: pythonEnv(parityUrl)
  })
  const tsParity = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      join(root, "packages", "api", "conformance", "parity.ts"),
      "--url",
      parityUrl,
      "--api-key",
      "local-dev-key",
      "--facts",
      parityFiles.facts,
      "--out",
      parityFiles.ts
    ],
    { cwd: root, env: { ...process.env, NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost" } }
  )
  const secondExit = new Promise((resolve) => second.child.on("exit", resolve))
  second.child.kill("SIGTERM")
  await Promise.race([secondExit, new Promise((r) => setTimeout(r, 10_000))])
  const readAnswers = (file) => {
    try {
      return JSON.parse(readFileSync(file, "utf8"))
    } catch {
      return null
    }
  }
  const facts = readAnswers(parityFiles.facts)
  const pyAnswers = readAnswers(parityFiles.py)
  const tsAnswers = readAnswers(parityFiles.ts)
  if (pyAnswers === null || tsAnswers === null) {
    parityRows.push({
      method: "parity: answers",
      binding: "parity.py, packages/api/conformance/parity.ts",
      ok: false,
      detail: `comet_ml answers ${pyAnswers === null ? `missing (exit ${pyParity.code})` : "present"}, comet-ts answers ${tsAnswers === null ? `missing (exit ${tsParity.code})` : "present"}`
    })
  } else {
    parityRows.push(...compare(facts, pyAnswers, tsAnswers))
  }
}

let rows = []
try {
  rows = JSON.parse(readFileSync(results, "utf8"))
} catch {
  rows = [
    {
      method: "Python SDK check",
      binding: "check.py",
      ok: false,
      detail: `check.py produced no results (exit ${py.code})`
    }
  ]
}
if (py.code !== 0 && rows.length > 0)
  rows.push({ method: "Python SDK check", binding: "check.py", ok: false, detail: `check.py exited with ${py.code}` })
rows = [...rows, ...parityRows, ...extra]

const passed = rows.filter((r) => r.ok === true).length
const failed = rows.filter((r) => r.ok === false).length
const skipped = rows.filter((r) => r.ok === null).length
const width = Math.min(70, Math.max(...rows.map((r) => r.method.length)))
console.log(`\nConformance with comet_ml 3.58.8 (seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`)
for (const r of rows) {
  const mark = r.ok === true ? "pass" : r.ok === false ? "FAIL" : "n/a "
  console.log(
    `${mark}  ${r.method.padEnd(width)}  ${r.ok === false ? r.detail.split("\n")[0] : (r.detail || "").split("\n")[0]}`
  )
}
for (const r of rows.filter((x) => x.ok === false))
  console.log(`\nFAIL ${r.method}\n  binding: ${r.binding}\n  ${r.detail.replaceAll("\n", "\n  ")}`)
const parity = {
  items: parityRows.length,
  passed: parityRows.filter((r) => r.ok === true).length,
  failed: parityRows.filter((r) => r.ok === false).length,
  same: parityRows.filter((r) => r.binding === "comet_ml = comet-ts").length,
  documentedDifferences: parityRows.filter((r) => r.binding === "documented difference").length
}
console.log(
  `\nparity with comet_ml (issue 14): ${parity.items} items compared between comet_ml and comet-ts — ${parity.same} must agree, ${parity.documentedDifferences} are documented differences; ${parity.passed} passed, ${parity.failed} failed`
)
console.log(`\nconformance: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} not applicable` : ""}`)
writeFileSync(
  report,
  JSON.stringify(
    { sdk: "comet_ml 3.58.8", seed: Number(seed), passed, failed, notApplicable: skipped, parity, results: rows },
    null,
    1
  )
)
process.exit(failed === 0 ? 0 : 1)
