/**
 * The Python SDK for the query-then-chart comparison: the conformance check's venv
 * (`packages/emulator/conformance/.venv` with comet_ml 3.58.8), created as `run.sh` creates it
 * when it is missing (full runs only: installing takes longer than a quick run may).
 */
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import { join } from "node:path"
import type { RunningServer } from "./server.js"
import type { BenchContext } from "./types.js"
import { now } from "./util.js"

/** The comet_ml version the conformance check pins. */
export const COMET_ML_VERSION = "3.58.8"

/** A Python with comet_ml, or why there is none. */
export type PythonSdk = { readonly python: string } | { readonly unavailable: string }

const hasSdk = (python: string): boolean =>
  spawnSync(
    python,
    ["-c", `import sys, comet_ml; sys.exit(0 if comet_ml.__version__ == "${COMET_ML_VERSION}" else 1)`],
    { stdio: "ignore", timeout: 60_000 }
  ).status === 0

const run = (cmd: string, args: ReadonlyArray<string>, timeoutMs: number): Promise<number | null> =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "inherit"], timeout: timeoutMs })
    child.on("error", () => resolve(null))
    child.on("exit", (code) => resolve(code))
  })

/** Find (or, in a full run, create) the venv with comet_ml. */
export const findPython = async (ctx: BenchContext): Promise<PythonSdk> => {
  const override = process.env.COMET_BENCH_PYTHON
  if (override !== undefined && override.length > 0) {
    return hasSdk(override)
      ? { python: override }
      : { unavailable: `COMET_BENCH_PYTHON=${override} has no comet_ml ${COMET_ML_VERSION}` }
  }
  const venv = join(ctx.root, "packages", "emulator", "conformance", ".venv")
  const python = join(venv, "bin", "python")
  if (existsSync(python) && hasSdk(python)) return { python }
  if (ctx.quick) {
    return {
      unavailable: `python unavailable: no venv with comet_ml ${COMET_ML_VERSION} at ${venv} (a quick run does not install it; \`pnpm bench\` or \`pnpm test:conformance\` creates it)`
    }
  }
  if (spawnSync("python3", ["-c", "import venv, ensurepip"], { stdio: "ignore" }).status !== 0) {
    return { unavailable: "python unavailable: no python3 with venv and pip on this machine" }
  }
  ctx.log(`creating ${venv} and installing comet_ml==${COMET_ML_VERSION} (as pnpm test:conformance does)`)
  if ((await run("python3", ["-m", "venv", venv], 120_000)) !== 0) {
    return { unavailable: `python unavailable: python3 -m venv ${venv} failed` }
  }
  const pip = await run(
    python,
    ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", `comet_ml==${COMET_ML_VERSION}`],
    600_000
  )
  if (pip !== 0 || !hasSdk(python)) {
    return { unavailable: `python unavailable: pip could not install comet_ml==${COMET_ML_VERSION}` }
  }
  return { python }
}

/**
 * Run `bench/python/SCRIPT` with comet_ml against a bench server, in a fresh home (no config file
 * of this machine, no telemetry, no proxy), and resolve with its last stdout line parsed as JSON
 * and the process's wall time (the interpreter's start and the import of comet_ml included).
 */
export const runScript = <A>(
  ctx: BenchContext,
  python: string,
  server: RunningServer,
  script: string,
  args: (home: string) => ReadonlyArray<string>
): Promise<{ readonly output: A; readonly processMs: number }> =>
  new Promise((resolve, reject) => {
    const home = mkdtempSync(join(ctx.scratch, "python-home-"))
    const t0 = now()
    const child = spawn(python, [join(ctx.root, "bench", "python", script), ...args(home)], {
      cwd: home,
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        HOME: home,
        COMET_URL_OVERRIDE: `${server.url}/clientlib/`,
        COMET_API_KEY: server.apiKey,
        COMET_ERROR_TRACKING_ENABLE: "false",
        COMET_DISABLE_ANNOUNCEMENT: "true",
        COMET_LOGGING_CONSOLE: "ERROR",
        NO_PROXY: "127.0.0.1,localhost",
        no_proxy: "127.0.0.1,localhost"
      }
    })
    let out = ""
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString()
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${script} exited ${code}`))
      try {
        resolve({ output: JSON.parse(out.trim().split("\n").pop() ?? "") as A, processMs: now() - t0 })
      } catch (e) {
        reject(e)
      }
    })
  })
