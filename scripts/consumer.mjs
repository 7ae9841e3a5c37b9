// `pnpm test:consumer [--report PATH] [--keep DIR]`: the packages as a user's project gets them.
//
// Builds every public package afresh, packs each with `pnpm pack` (what `pnpm publish -r`
// publishes), checks the tarballs, installs them with npm into a new temporary project next to
// the OLDEST supported effect set below, and proves there: one copy of effect; `npm ls` clean;
// `tsc --noEmit` passes for a consumer of the facade and of CometApi under moduleResolution
// bundler, nodenext (ESM and CommonJS files) and node10, and for the README's TypeScript blocks,
// and with the oldest supported TypeScript; declaration emit for code returning every facade and
// service type, in a project holding @comet-ts/api alone in npm's linked (pnpm-like) layout;
// esbuild bundles of a user's script for node (CommonJS; ESM with the packages external; ESM
// inlined, which must fail with the ConfigurationError naming the fix) and for the browser;
// plain `node` ESM and CommonJS scripts — ours and the README's `js` blocks — read the emulator,
// started from the installed package, through the facade and through CometApi; no run writes
// anything to stderr (no "Executing an Effect versioned …", no MaxListenersExceededWarning);
// `npx <bin> --help` works for every bin of every package (comet-emulator, comet-ts, and any added
// later), and the installed `comet-ts` reads the emulator.
// Every public package under packages/ is picked up by itself.
//
// Writes a JSON report { passed, failed, checks } when asked (`.ci/run` adds its counts to the
// final line); exits non-zero when a check failed.
import { spawn } from "node:child_process"
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join, relative, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { blockEnv, blockFileName, readmeBlocks, root, runProblems } from "./readme-blocks.mjs"

/**
 * The oldest supported release of every peer dependency our packages declare: installed in the
 * consumer project instead of the newest. A package with a new peer adds it here.
 */
const OLDEST = {
  effect: "3.19.19",
  "@effect/platform": "0.93.8",
  "@effect/platform-node": "0.103.0",
  "@effect/cli": "0.72.1"
}

/**
 * The oldest TypeScript the README promises (effect 3's own minimum): the consumer's files and
 * our declarations must compile with it. Effect's own declarations need TypeScript 5.7 when
 * `skipLibCheck` is off (the generic `Uint8Array`), so its errors inside effect are set aside.
 */
const OLDEST_TYPESCRIPT = "5.4.5"

const args = process.argv.slice(2)
const option = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const reportPath = option("--report") === undefined ? undefined : resolve(option("--report"))
const keepDir = option("--keep") === undefined ? undefined : resolve(option("--keep"))

// ---------------------------------------------------------------------------------------------
// Checks and their report.

const checks = []
let aborted = false

const fmt = (ms) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`)

/** Run one check; a thrown Error (or a returned list of problems) fails it. */
const check = async (name, fn, { required = false } = {}) => {
  if (aborted) {
    checks.push({ name, ok: false, ms: 0, detail: "not run: an earlier required step failed" })
    console.log(`SKIP ${name}`)
    return undefined
  }
  const started = Date.now()
  let result
  let problems = []
  try {
    result = await fn()
    if (Array.isArray(result) && result.every((r) => typeof r === "string")) problems = result
  } catch (e) {
    problems = [e instanceof Error ? e.message : String(e)]
  }
  const ms = Date.now() - started
  const ok = problems.length === 0
  checks.push({ name, ok, ms, ...(ok ? {} : { detail: problems.join("\n") }) })
  console.log(
    `${ok ? "ok  " : "FAIL"} ${name} (${fmt(ms)})${ok ? "" : `\n     ${problems.join("\n").replace(/\n/g, "\n     ")}`}`
  )
  if (!ok && required) aborted = true
  return ok ? result : undefined
}

/** Run a command; resolves with { status, signal, stdout, stderr }. */
const run = (command, commandArgs, { cwd = root, env = process.env, timeoutMs = 300_000 } = {}) =>
  new Promise((resolve) => {
    // Run as from a plain shell: without the npm_* settings pnpm passes its scripts (npm warns
    // about pnpm's own on stderr, which the checks keep empty), and without npm's notices.
    const plain = Object.fromEntries(Object.entries(env).filter(([k]) => !/^npm_/i.test(k)))
    const quiet = { ...plain, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" }
    const child = spawn(command, commandArgs, { cwd, env: quiet, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => {
      stdout += d
    })
    child.stderr.on("data", (d) => {
      stderr += d
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("error", (e) => {
      stderr += String(e)
    })
    child.on("close", (status, signal) => {
      clearTimeout(timer)
      resolve({ status, signal, stdout, stderr })
    })
  })

const ran = async (command, commandArgs, options) => {
  const r = await run(command, commandArgs, options)
  if (r.status !== 0) {
    throw new Error(
      `${command} ${commandArgs.join(" ")} failed (${r.signal ?? r.status}):\n${(r.stderr || r.stdout).trim().slice(-3000)}`
    )
  }
  return r
}

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"))

// ---------------------------------------------------------------------------------------------
// The packages.

const rootManifest = readJson(join(root, "package.json"))
const packages = readdirSync(join(root, "packages"))
  .filter((d) => existsSync(join(root, "packages", d, "package.json")))
  .map((d) => ({ dir: d, manifest: readJson(join(root, "packages", d, "package.json")) }))
  .filter((p) => p.manifest.private !== true)
  .sort((a, b) => a.dir.localeCompare(b.dir))

const work = mkdtempSync(join(tmpdir(), "comet-consumer-"))
const packs = keepDir ?? join(work, "packs")
const project = join(work, "project")
const home = join(work, "home")
mkdirSync(packs, { recursive: true })
mkdirSync(project, { recursive: true })
mkdirSync(home, { recursive: true })

let emulator

const main = async () => {
  console.log(`consumer check in ${work} (${packages.map((p) => p.manifest.name).join(", ")})`)

  await check(
    "pnpm build (fresh dist of every package)",
    async () => {
      for (const p of packages) rmSync(join(root, "packages", p.dir, "dist"), { recursive: true, force: true })
      await ran("pnpm", ["build"])
    },
    { required: true }
  )

  const tarballs = {}
  await check(
    "pnpm pack every public package",
    async () => {
      for (const p of packages) {
        const r = await ran("pnpm", ["pack", "--pack-destination", packs], { cwd: join(root, "packages", p.dir) })
        const file = r.stdout
          .trim()
          .split("\n")
          .map((l) => l.trim())
          .reverse()
          .find((l) => l.endsWith(".tgz"))
        if (file === undefined || !existsSync(file)) throw new Error(`no tarball for ${p.manifest.name}: ${r.stdout}`)
        tarballs[p.manifest.name] = file
      }
    },
    { required: true }
  )

  for (const p of packages) {
    await check(`tarball ${basename(tarballs[p.manifest.name] ?? p.dir)}: manifest, files, LICENSE, README, bins`, () =>
      tarballProblems(p, tarballs[p.manifest.name])
    )
  }

  const peers = new Set(packages.flatMap((p) => Object.keys(p.manifest.peerDependencies ?? {})))
  await check(
    `npm install the tarballs with the oldest supported peers (${[...peers].map((n) => `${n}@${OLDEST[n]}`).join(", ")})`,
    async () => {
      const missing = [...peers].filter((n) => OLDEST[n] === undefined)
      if (missing.length > 0)
        throw new Error(`add the oldest supported ${missing.join(", ")} to OLDEST in scripts/consumer.mjs`)
      writeFileSync(
        join(project, "package.json"),
        `${JSON.stringify({ name: "comet-ts-consumer", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`
      )
      const tools = [
        ...["typescript", "@types/node"].map((n) => `${n}@${rootManifest.devDependencies[n]}`),
        `typescript-oldest@npm:typescript@${OLDEST_TYPESCRIPT}`
      ]
      await ran(
        "npm",
        [
          "install",
          "--no-audit",
          "--no-fund",
          "--loglevel=error",
          ...Object.values(tarballs),
          ...[...peers].map((n) => `${n}@${OLDEST[n]}`),
          ...tools
        ],
        { cwd: project }
      )
    },
    { required: true }
  )

  await check("one copy of effect, at the oldest supported version", async () => {
    const r = await run("npm", ["ls", "effect", "--all", "--parseable"], { cwd: project })
    const copies = [
      ...new Set(
        r.stdout
          .trim()
          .split("\n")
          .filter((l) => l.length > 0)
      )
    ]
    const found = [...readdirTree(join(project, "node_modules"), "effect")]
    const problems = []
    if (copies.length !== 1) problems.push(`npm ls effect lists ${copies.length} copies:\n${copies.join("\n")}`)
    if (found.length !== 1) problems.push(`node_modules holds ${found.length} copies of effect:\n${found.join("\n")}`)
    const version = readJson(join(project, "node_modules", "effect", "package.json")).version
    if (version !== OLDEST.effect) problems.push(`effect ${version} was installed, not ${OLDEST.effect}`)
    return problems
  })

  await check("npm ls: nothing missing or invalid", async () => {
    const r = await run("npm", ["ls", "--all"], { cwd: project })
    return r.status === 0 ? [] : [`npm ls exited ${r.status}:\n${(r.stderr + r.stdout).trim().slice(-2000)}`]
  })

  const bins = packages.flatMap((p) => Object.keys({ ...p.manifest.bin, ...p.manifest.publishConfig?.bin }))
  for (const bin of bins) {
    await check(`npx ${bin} --help`, async () => {
      const r = await run("npx", [bin, "--help"], { cwd: project, env: blockEnv("", home) })
      const problems = []
      if (r.status !== 0) problems.push(`exit ${r.status}: ${r.stderr.trim()}`)
      if (!/usage/i.test(r.stdout)) problems.push(`no usage text: ${r.stdout.slice(0, 300)}`)
      if (r.stderr.trim().length > 0) problems.push(`stderr: ${r.stderr.trim().slice(0, 500)}`)
      return problems
    })
  }

  writeConsumerFiles()
  const readme = readmeBlocks()
  const tsBlocks = readme.filter((b) => b.lang === "ts" && (b.kind === "run" || b.kind === "types"))
  const jsBlocks = readme.filter((b) => b.lang === "js" && b.kind === "run")
  mkdirSync(join(project, "readme"), { recursive: true })
  for (const b of [...tsBlocks, ...jsBlocks]) writeFileSync(join(project, "readme", blockFileName(b)), b.code)

  const tsc = join(project, "node_modules", "typescript", "bin", "tsc")
  // The three compilations are independent: run them together.
  await Promise.all(
    ["bundler", "nodenext", "node10"].map((mode) =>
      check(
        `tsc --noEmit, moduleResolution ${mode}: facade and CometApi consumers${mode === "node10" ? "" : `, ${tsBlocks.length} README blocks`}`,
        async () => {
          const r = await run(process.execPath, [tsc, "-p", `tsconfig.${mode}.json`], { cwd: project })
          return r.status === 0 ? [] : [`${r.stdout}${r.stderr}`.trim().slice(0, 4000)]
        }
      )
    )
  )

  await check(
    `tsc ${OLDEST_TYPESCRIPT} (the oldest TypeScript supported), nodenext, skipLibCheck off: no error in our declarations, the ESM consumer or the README blocks`,
    async () => {
      const oldest = join(project, "node_modules", "typescript-oldest", "bin", "tsc")
      // ES module files only: TypeScript before 5.8 refuses an ES module in a CommonJS file under
      // nodenext (TS1479), as the README says
      const r = await run(process.execPath, [oldest, "-p", "tsconfig.oldest.json"], { cwd: project })
      // effect's own declarations need TypeScript 5.7 with skipLibCheck off (README, Install)
      const errors = `${r.stdout}${r.stderr}`.split("\n").filter((l) => /error TS\d+/.test(l))
      const ours = errors.filter((l) => !/^node_modules\/(effect|@effect\/[^/]+)\//.test(l))
      if (ours.length > 0) return ours
      return r.status !== 0 && errors.length === 0
        ? [`tsc exited ${r.status}: ${r.stdout}${r.stderr}`.slice(0, 2000)]
        : []
    }
  )

  await check(
    "npm --install-strategy=linked, @comet-ts/api alone: declaration emit names every type of API, APIExperiment, CometApiShape (no TS2742)",
    () => strictLayoutProblems(tarballs)
  )

  const url = await check(
    "the emulator starts from the installed package (comet-emulator --port 0)",
    () => startEmulator(),
    { required: true }
  )
  const env = blockEnv(url ?? "", home)
  const expected = await check(
    "the installed @comet-ts/emulator imports in plain node (the expected data)",
    async () => {
      const emulatorModule = await import(
        pathToFileURL(join(project, "node_modules", "@comet-ts", "emulator", "dist", "index.js")).href
      )
      const dataset = emulatorModule.generate({ size: "small", seed: 1 })
      const workspace = dataset.workspaces.find((w) => w.name === "local-dev")
      const live = (name) =>
        workspace.projects.find((p) => p.projectName === name).experiments.filter((e) => !e.archived)
      return {
        projects: workspace.projects.map((p) => p.projectName),
        experiments: live("mnist-sweep").length,
        empty: live("scratchpad").length
      }
    }
  )

  await check("plain node ESM script (esm.mjs) reads the emulator through the facade and CometApi", async () => {
    const r = await run(process.execPath, ["esm.mjs"], { cwd: project, env })
    return [...runProblems(r), ...expectReport(r.stdout, expected)]
  })
  await check("plain node CommonJS script (cjs.cjs) reads the emulator through the facade and CometApi", async () => {
    const r = await run(process.execPath, ["cjs.cjs"], { cwd: project, env })
    return [...runProblems(r), ...expectReport(r.stdout, expected)]
  })
  if (bins.includes("comet-ts")) {
    await check("npx comet-ts workspaces --format json reads the emulator", async () => {
      const r = await run("npx", ["comet-ts", "workspaces", "--format", "json"], { cwd: project, env })
      const problems = [...runProblems(r)]
      try {
        const names = JSON.parse(r.stdout).map((w) => w.workspaceName)
        if (!names.includes("local-dev")) problems.push(`no local-dev among ${JSON.stringify(names)}`)
      } catch {
        problems.push(`not JSON: ${r.stdout.slice(0, 300)}`)
      }
      return problems
    })
  }
  await check("esbuild bundles of a user's script: for node (ESM, CommonJS) and for the browser", () =>
    bundleProblems(env)
  )
  for (const b of jsBlocks) {
    await check(
      `README block ${b.file}:${b.line} (${b.attrs.cjs === true ? "CommonJS" : "ESM"}) runs with plain node`,
      async () => {
        const r = await run(process.execPath, [join("readme", blockFileName(b))], { cwd: project, env })
        return runProblems(r)
      }
    )
  }
}

/**
 * A project laid out as pnpm lays it out (npm's linked strategy): only @comet-ts/api and its
 * peers are importable; its own dependencies are not. Code returning any result of the facade
 * or the service must still emit declarations: every type the signatures name must be reachable
 * through @comet-ts/api (TS2742 "cannot be named" otherwise).
 */
const strictLayoutProblems = async (tarballs) => {
  const dir = join(work, "linked")
  mkdirSync(dir, { recursive: true })
  const api = packages.find((p) => p.manifest.name === "@comet-ts/api")
  const ours = Object.keys(api.manifest.dependencies ?? {}).filter((n) => n.startsWith("@comet-ts/"))
  const overrides = Object.fromEntries(ours.map((n) => [n, `file:${tarballs[n]}`]))
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "comet-ts-linked", version: "1.0.0", private: true, type: "module", overrides }, null, 2)}\n`
  )
  const peers = Object.keys(api.manifest.peerDependencies ?? {}).map((n) => `${n}@${OLDEST[n]}`)
  await ran(
    "npm",
    [
      "install",
      "--install-strategy=linked",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      tarballs["@comet-ts/api"],
      ...peers,
      ...["typescript", "@types/node"].map((n) => `${n}@${rootManifest.devDependencies[n]}`)
    ],
    { cwd: dir }
  )
  const problems = ours
    .filter((n) => existsSync(join(dir, "node_modules", n)))
    .map((n) => `${n} is importable: the layout is not strict, so this check proves nothing`)
  writeFileSync(
    join(dir, "expand.ts"),
    `import type { API, APIExperiment, CometApiShape, Experiment, PanelContextShape } from "@comet-ts/api"
// spreading an instance type makes the declaration emit write out every method's type
export const facade = { ...(null as unknown as API) }
export const experiment = { ...(null as unknown as APIExperiment) }
export const service = { ...(null as unknown as CometApiShape) }
export const effectExperiment = { ...(null as unknown as Experiment) }
export const panel = { ...(null as unknown as PanelContextShape) }
`
  )
  writeFileSync(
    join(dir, "tsconfig.json"),
    tsconfig(
      {
        module: "nodenext",
        moduleResolution: "nodenext",
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        outDir: "out"
      },
      ["expand.ts"]
    )
  )
  const r = await run(process.execPath, [join(dir, "node_modules", "typescript", "bin", "tsc"), "-p", "."], {
    cwd: dir
  })
  if (r.status !== 0) problems.push(`${r.stdout}${r.stderr}`.trim().slice(0, 4000))
  else {
    const emitted = readFileSync(join(dir, "out", "expand.d.ts"), "utf8")
    for (const m of new Set([...emitted.matchAll(/import\("([^"]+)"\)/g)].map((m) => m[1]))) {
      if (m !== "@comet-ts/api" && !/^effect\/[A-Za-z]+$/.test(m)) problems.push(`the emitted declarations import ${m}`)
    }
  }
  return problems
}

/**
 * A user's script bundled with esbuild from the installed packages. For node as CommonJS, and
 * as ESM with the packages external (README, Bundling): both read the emulator. As ESM with
 * everything inlined and no `require`: undici cannot load there, and the call must reject with
 * the ConfigurationError that says so and names the fix (never a bare Error from the bundler's
 * shim). For the browser: no undici and no static import of a Node module in the bundle.
 */
const bundleProblems = async (env) => {
  const { build } = await import("esbuild")
  const dir = join(project, "bundle")
  mkdirSync(dir, { recursive: true })
  const entry = join(dir, "entry.mjs")
  writeFileSync(
    entry,
    `import { API, isCometError } from "@comet-ts/api"
const main = async () => {
  const api = new API()
  try {
    console.log(JSON.stringify(await api.getWorkspaces()))
  } catch (e) {
    console.log(isCometError(e) ? \`\${e._tag}: \${e.message}\` : \`untyped: \${e}\`)
  } finally {
    await api.close()
  }
}
main()
`
  )
  const bundle = async (name, options) => {
    const outfile = join(dir, name)
    await build({ entryPoints: [entry], outfile, bundle: true, logLevel: "error", absWorkingDir: project, ...options })
    return outfile
  }
  const problems = []
  const reads = async (file, what) => {
    const r = await run(process.execPath, [file], { cwd: project, env })
    const out = r.stdout.trim()
    if (r.status !== 0 || !out.includes("local-dev")) problems.push(`${what}: ${out}${r.stderr}`.slice(0, 1000))
  }
  const node = { platform: "node", target: "node20" }
  await reads(await bundle("node.cjs", { ...node, format: "cjs" }), "node CommonJS bundle")
  await reads(
    await bundle("node-external.mjs", { ...node, format: "esm", packages: "external" }),
    "node ESM bundle, --packages=external"
  )
  const inlined = await run(process.execPath, [await bundle("node-inlined.mjs", { ...node, format: "esm" })], {
    cwd: project,
    env
  })
  if (!/^ConfigurationError: .*undici.*--packages=external/m.test(inlined.stdout)) {
    problems.push(
      `node ESM bundle with undici inlined: not the ConfigurationError naming the fix: ${inlined.stdout}${inlined.stderr}`.slice(
        0,
        1000
      )
    )
  }
  const browser = readFileSync(
    await bundle("browser.mjs", { platform: "browser", format: "esm", target: "es2022" }),
    "utf8"
  )
  if (/undici/.test(browser)) problems.push("the browser bundle holds undici")
  const nodeImports = [...browser.matchAll(/(?:from|import|require)\s*\(?\s*"(node:[^"]+)"/g)].map((m) => m[1])
  if (nodeImports.length > 0) problems.push(`the browser bundle imports ${[...new Set(nodeImports)].join(", ")}`)
  return problems
}

/** Every directory named `name` under a node_modules tree. */
function* readdirTree(dir, name) {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const path = join(dir, entry.name)
    if (entry.name === name && existsSync(join(path, "package.json"))) yield relative(project, path)
    else if (entry.name.startsWith("@") || entry.name === "node_modules") yield* readdirTree(path, name)
    else if (existsSync(join(path, "node_modules"))) yield* readdirTree(join(path, "node_modules"), name)
  }
}

/** Problems with one tarball: its manifest, the files it ships, and the files its manifest names. */
const tarballProblems = async (p, tarball) => {
  const out = join(work, "unpacked", p.dir)
  mkdirSync(out, { recursive: true })
  await ran("tar", ["xzf", tarball, "-C", out])
  const pkg = join(out, "package")
  const m = readJson(join(pkg, "package.json"))
  const problems = []
  const files = []
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name))
      else files.push(relative(pkg, join(d, e.name)))
    }
  }
  walk(pkg)
  const has = (f) => existsSync(join(pkg, f))
  if (JSON.stringify(m).includes("workspace:")) problems.push("a workspace: range was published")
  for (const field of ["main", "module", "types"]) {
    if (typeof m[field] !== "string") problems.push(`no top-level ${field}`)
    else if (!has(m[field])) problems.push(`${field} ${m[field]} is not in the tarball`)
  }
  const dot = m.exports?.["."]
  for (const condition of ["types", "import", "default"]) {
    if (typeof dot?.[condition] !== "string") problems.push(`exports["."] has no ${condition}`)
    else if (!has(dot[condition])) problems.push(`exports["."].${condition} ${dot[condition]} is not in the tarball`)
  }
  if (m.exports?.["./internal/*"] !== null) problems.push('exports does not block "./internal/*"')
  if (m.license !== "MIT") problems.push(`license ${m.license}`)
  if (m.repository?.directory !== `packages/${p.dir}`) problems.push(`repository.directory ${m.repository?.directory}`)
  if (m.engines?.node !== rootManifest.engines.node) problems.push(`engines.node ${m.engines?.node}`)
  if (m.peerDependencies?.effect === undefined) problems.push("effect is not a peer dependency")
  for (const dep of Object.keys(m.dependencies ?? {})) {
    if (dep === "effect" || dep.startsWith("@effect/")) problems.push(`${dep} is a dependency, not a peer`)
  }
  if (!has("README.md")) problems.push("no README.md")
  if (!has("LICENSE")) problems.push("no LICENSE")
  else if (readFileSync(join(pkg, "LICENSE"), "utf8") !== readFileSync(join(root, "LICENSE"), "utf8")) {
    problems.push("LICENSE differs from the repository's")
  }
  for (const f of files) {
    if (f.endsWith(".tsbuildinfo")) problems.push(`build info ${f} is in the tarball`)
    if (/\.test\.ts$/.test(f)) problems.push(`test ${f} is in the tarball`)
  }
  for (const [bin, target] of Object.entries(typeof m.bin === "string" ? { [m.name]: m.bin } : (m.bin ?? {}))) {
    if (!has(target)) problems.push(`bin ${bin}: ${target} is not in the tarball`)
    else {
      if (!readFileSync(join(pkg, target), "utf8").startsWith("#!/usr/bin/env node"))
        problems.push(`bin ${bin} has no shebang`)
      try {
        accessSync(join(pkg, target), constants.X_OK)
      } catch {
        problems.push(`bin ${bin} is not executable`)
      }
    }
  }
  // Every relative import of the built JavaScript resolves inside the tarball.
  for (const f of files.filter((f) => f.endsWith(".js"))) {
    const text = readFileSync(join(pkg, f), "utf8")
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      const target = join(dirname(join(pkg, f)), match[1])
      if (!existsSync(target)) problems.push(`${f} imports ${match[1]}, which is not in the tarball`)
    }
  }
  return problems
}

/** The emulator as a user starts it: the installed bin. Resolves with its URL. */
const startEmulator = () =>
  new Promise((resolve, reject) => {
    const child = spawn(join(project, "node_modules", ".bin", "comet-emulator"), ["--port", "0"], {
      cwd: project,
      env: blockEnv("", home),
      stdio: ["ignore", "pipe", "pipe"]
    })
    emulator = child
    let out = ""
    let err = ""
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 60 s: ${out}${err}`)), 60_000)
    child.stderr.on("data", (d) => {
      err += d
    })
    child.stdout.on("data", (d) => {
      out += d
      const m = /^comet emulator listening on (http:\/\/\S+)$/m.exec(out)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`the emulator exited (${code}): ${out}${err}`))
    })
  })

/** What esm.mjs and cjs.cjs print, checked against the emulator's default data. */
const expectReport = (stdout, expected) => {
  let report
  try {
    report = JSON.parse(stdout.trim().split("\n").at(-1) ?? "")
  } catch {
    return [`the last line is not the JSON report: ${stdout.slice(-500)}`]
  }
  const problems = []
  const expect = (what, actual, expected) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`)
    }
  }
  if (expected === undefined) return ["no expectations (the emulator package did not import)"]
  expect("projects of local-dev", report.projects, expected.projects)
  expect("experiments in mnist-sweep", report.experiments, expected.experiments)
  expect("experiments in scratchpad", report.empty, expected.empty)
  if (expected.empty !== 0 || expected.experiments === 0)
    problems.push("the default data changed: scratchpad is no longer empty")
  expect("NotFound for a missing run", report.notFound, "NotFound")
  expect("the facade and CometApi agree on the best run", report.effectBest, report.facadeBest)
  if (typeof report.facadeBest !== "string" || report.facadeBest.length === 0) problems.push("no best run")
  expect("signal shared by 30 calls: aborted", report.aborted, 30)
  return problems
}

// The consumer's own files: two plain scripts and one TypeScript file per resolution mode. The
// scripts use the facade and CometApi, print a JSON report on their last line, and share one
// AbortSignal among 30 calls (no MaxListenersExceededWarning may appear).
const script = (load) => `${load}
const main = async () => {
  const api = new API()
  try {
    const projects = await api.getProjects("local-dev")
    const experiments = await api.getExperiments("local-dev", "mnist-sweep")
    const empty = (await api.getExperiments("local-dev", "scratchpad")).length
    const notFound = await api.getExperiment("local-dev/mnist-sweep/no-such-run").then(
      () => "resolved",
      (e) => (e instanceof NotFound ? e._tag : String(e))
    )
    const chart = await api.getMetricsForChart(experiments, ["val_accuracy"])
    const last = (key) => chart[key]?.metrics.find((m) => m.metricName === "val_accuracy")?.values.at(-1) ?? -Infinity
    const facadeBest = [...experiments].sort((a, b) => last(b.key) - last(a.key))[0]?.key
    const controller = new AbortController()
    const calls = Array.from({ length: 30 }, () => api.getWorkspaces({ signal: controller.signal }))
    controller.abort()
    const aborted = (await Promise.allSettled(calls)).filter((r) => r.status === "rejected").length

    const program = Effect.gen(function* () {
      const comet = yield* CometApi
      const all = yield* comet.getExperiments("local-dev", "mnist-sweep")
      const charts = yield* Effect.forEach(all, (e) => e.getMetricsForChart(["val_accuracy"]), { concurrency: 8, batching: true })
      const finals = all.map((e, i) => ({ key: e.key, v: charts[i]?.metrics.find((m) => m.metricName === "val_accuracy")?.values.at(-1) ?? -Infinity }))
      return finals.sort((a, b) => b.v - a.v)[0]?.key
    })
    const Live = CometApiLayer.layerConfig.pipe(
      Layer.provideMerge(CometHttp.layerConfig),
      Layer.provide(CometConfig.layerConfig),
      Layer.provide(FetchHttpClient.layer)
    )
    const effectBest = await Effect.runPromise(program.pipe(Effect.provide(Live)))
    console.log(JSON.stringify({ projects, experiments: experiments.length, empty, notFound, facadeBest, effectBest, aborted }))
  } finally {
    await api.close()
  }
}
main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
`

const TS_CONSUMER = `import { API, type APIExperiment, CometApi, CometApiLayer, NotFound, Panel } from "@comet-ts/api"
import { type CometError, CometConfig, type ConfigurationError, type ResolvedConfig } from "@comet-ts/core"
import { generate } from "@comet-ts/emulator"
import { CometHttp } from "@comet-ts/http"
import { Metric, parseOrThrow, type Query, Tag } from "@comet-ts/query"
import { FetchHttpClient } from "@effect/platform"
import { Config, ConfigProvider, Effect, Layer } from "effect"

export async function best(): Promise<ReadonlyArray<string>> {
  const api = new API({ maxConcurrency: 4 })
  try {
    const query: Query = Metric("val_accuracy").gt(0.9).or(Tag("best")).or(parseOrThrow('Tag("baseline")'))
    const found: ReadonlyArray<APIExperiment> = await api.query("local-dev", "mnist-sweep", query)
    return found.map((e) => e.key)
  } catch (error) {
    if (error instanceof NotFound) return []
    throw error
  } finally {
    await api.close()
  }
}

export const program: Effect.Effect<ReadonlyArray<string>, CometError | ConfigurationError> = Effect.gen(function* () {
  const workspace = yield* Config.string("WORKSPACE").pipe(Config.withDefault("local-dev"), Effect.orDie)
  const config: ResolvedConfig = yield* CometConfig
  const api = yield* CometApi
  const names = yield* api.getProjects(workspace)
  return names.map((n) => \`\${n} (\${config.baseUrl})\`)
}).pipe(
  Effect.provide(
    CometApiLayer.layerConfig.pipe(
      Layer.provideMerge(CometHttp.layerConfig),
      Layer.provideMerge(CometConfig.layerConfig),
      Layer.provide(FetchHttpClient.layer)
    )
  ),
  Effect.withConfigProvider(ConfigProvider.fromJson({ COMET_API_KEY: "local-dev-key" }))
)

export const experiments: number = generate({ size: "small", seed: 1 }).workspaces.length

// Under exactOptionalPropertyTypes, every option takes a value that may be undefined (read as
// "not given", as the runtime reads it), as users pass their own optional settings through.
export async function passThrough(
  text: string | undefined,
  count: number | undefined,
  flag: boolean | undefined,
  signal: AbortSignal | undefined
): Promise<number> {
  const api = new API({ apiKey: text, maxConcurrency: count, callTimeoutMs: count, panel: { workspace: text, projectName: text, projectId: text, options: undefined } })
  try {
    const [first] = await api.getExperiments("local-dev", "mnist-sweep", null, { signal, callTimeoutMs: count })
    if (first === undefined) return 0
    await first.getName({ maxLength: count, signal })
    await api.getExperimentName(first.key, { maxLength: count })
    await api.getExperimentByName("run", { workspace: text, projectName: text })
    await api.getExperimentAssetList(first.key, { assetType: text })
    await api.getExperimentAssetByName(first.key, "metrics.csv", { assetType: text, returnType: "text" })
    await api.queryProject("local-dev", "mnist-sweep", [], { archived: flag })
    await api.getPanelMetricsNames({ includeSys: flag })
    const layer = Panel.layerTest({ experimentKeys: [], workspace: text, projectName: text, projectId: text, options: undefined })
    return (await api.getRequestStats()).requests + (layer === undefined ? 0 : 1)
  } finally {
    await api.close()
  }
}
`

const tsconfig = (compilerOptions, files) =>
  `${JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2022", "DOM", "DOM.Iterable"],
        types: ["node"],
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: false,
        noEmit: true,
        ...compilerOptions
      },
      files
    },
    null,
    2
  )}\n`

const writeConsumerFiles = () => {
  const esm = `import { API, CometApi, CometApiLayer, NotFound } from "@comet-ts/api"
import { CometConfig } from "@comet-ts/core"
import { CometHttp } from "@comet-ts/http"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer } from "effect"`
  const cjs = `const { API, CometApi, CometApiLayer, NotFound } = require("@comet-ts/api")
const { CometConfig } = require("@comet-ts/core")
const { CometHttp } = require("@comet-ts/http")
const { FetchHttpClient } = require("@effect/platform")
const { Effect, Layer } = require("effect")`
  writeFileSync(join(project, "esm.mjs"), script(esm))
  writeFileSync(join(project, "cjs.cjs"), script(cjs))
  writeFileSync(join(project, "consumer.ts"), TS_CONSUMER)
  writeFileSync(join(project, "consumer.mts"), TS_CONSUMER)
  writeFileSync(join(project, "consumer.cts"), TS_CONSUMER)
  const readmeTs = readmeBlocks()
    .filter((b) => b.lang === "ts" && (b.kind === "run" || b.kind === "types"))
    .map((b) => `readme/${blockFileName(b)}`)
  writeFileSync(
    join(project, "tsconfig.bundler.json"),
    tsconfig({ module: "preserve", moduleResolution: "bundler" }, ["consumer.ts", ...readmeTs])
  )
  writeFileSync(
    join(project, "tsconfig.nodenext.json"),
    tsconfig({ module: "nodenext", moduleResolution: "nodenext" }, ["consumer.mts", "consumer.cts", ...readmeTs])
  )
  writeFileSync(
    join(project, "tsconfig.oldest.json"),
    tsconfig({ module: "nodenext", moduleResolution: "nodenext" }, ["consumer.mts", ...readmeTs])
  )
  writeFileSync(
    join(project, "tsconfig.node10.json"),
    tsconfig({ module: "commonjs", moduleResolution: "node10" }, ["consumer.ts"])
  )
}

const started = Date.now()
try {
  await main()
} catch (e) {
  checks.push({ name: "consumer check", ok: false, ms: 0, detail: String(e) })
  console.log(`FAIL consumer check: ${e instanceof Error ? e.stack : String(e)}`)
} finally {
  emulator?.kill("SIGTERM")
}
const passed = checks.filter((c) => c.ok).length
const failed = checks.length - passed
if (reportPath !== undefined) {
  mkdirSync(dirname(reportPath), { recursive: true })
  writeFileSync(reportPath, `${JSON.stringify({ passed, failed, checks }, null, 2)}\n`)
}
if (failed === 0) rmSync(work, { recursive: true, force: true })
else console.log(`the consumer project is kept in ${project}`)
console.log(`consumer: ${passed} passed, ${failed} failed (${fmt(Date.now() - started)})`)
process.exitCode = failed === 0 ? 0 : 1
