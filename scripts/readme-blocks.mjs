// The code blocks of the READMEs (README.md and packages/*/README.md, found anew on every run),
// for the checks that prove they work as written: packages/api/test/ReadmeBlocks.test.ts
// (TypeScript, shell and file blocks, in `pnpm test`) and scripts/consumer.mjs (JavaScript blocks,
// run with plain node against the packed packages, in `pnpm test:consumer`).
//
// The info string of a fence says how its block is checked:
//   ```ts              a whole program: type-checked, then run against the emulator (it must exit 0,
//                      print something, and print nothing on stderr)
//   ```ts types        a whole program: type-checked only (the text around it says why it is not run)
//   ```ts file=PATH    must equal the file PATH (a test or an example that `pnpm test` runs;
//   ```js file=PATH    a server, a browser page: whatever cannot run on its own)
//   ```js              a plain Node ESM script (.mjs), run by `pnpm test:consumer` like ```ts
//   ```js cjs          a plain CommonJS script (.cjs), likewise
//   ```sh              commands: each names a real pnpm script, bin, package or file
//   ```LANG fragment   part of a program: not checked; its first line is a comment saying so
//   ```text            output or a synopsis: not code
// Any other fence is an error, so a new block always says what it is.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..")

/** README.md, then every packages/<name>/README.md, as paths relative to the root. */
export const readmeFiles = (base = root) => {
  const packages = join(base, "packages")
  const inPackages = readdirSync(packages, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(packages, d.name, "README.md")))
    .map((d) => relative(base, join(packages, d.name, "README.md")))
    .sort()
  return ["README.md", ...inPackages]
}

const KINDS = new Set(["run", "types", "file", "fragment", "text", "sh"])

/**
 * The fenced blocks of one markdown text: `{ file, line, lang, kind, attrs, code, problem }`.
 * `kind` is run | types | file | fragment | text | sh; `problem` says why a block is not
 * acceptable as marked (undefined when it is).
 */
export const blocksOf = (text, file) => {
  const lines = text.split("\n")
  const out = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+|~~~+)\s*(.*)$/.exec(lines[i])
    if (open === null) continue
    const [, indent, fence, info] = open
    const body = []
    let j = i + 1
    while (
      j < lines.length &&
      !new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`).test(lines[j])
    ) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart())
      j++
    }
    const words = info
      .trim()
      .split(/\s+/)
      .filter((w) => w.length > 0)
    const lang = words[0] ?? ""
    const attrs = {}
    for (const w of words.slice(1)) {
      const eq = w.indexOf("=")
      if (eq > 0) attrs[w.slice(0, eq)] = w.slice(eq + 1)
      else attrs[w] = true
    }
    const code = `${body.join("\n")}\n`
    const kind =
      attrs.fragment === true
        ? "fragment"
        : lang === "text"
          ? "text"
          : lang === "sh"
            ? "sh"
            : typeof attrs.file === "string"
              ? "file"
              : attrs.types === true
                ? "types"
                : lang === "ts" || lang === "js"
                  ? "run"
                  : "unknown"
    let problem
    if (!KINDS.has(kind)) {
      problem = `a \`\`\`${info.trim()} block: mark it ts, ts types, ts|js file=PATH, js, js cjs, sh, text or LANG fragment (see scripts/readme-blocks.mjs)`
    } else if (kind === "fragment" && !/^\s*(\/\/|#|<!--|--)\s*fragment\b/i.test(body[0] ?? "")) {
      problem = "a fragment's first line must be a comment that says it is a fragment (// fragment: …)"
    } else if (kind === "types" && lang !== "ts") {
      problem = "types blocks are TypeScript (```ts types)"
    } else if (kind === "file" && lang !== "ts" && lang !== "js") {
      problem = "file blocks are TypeScript or JavaScript (```ts file=PATH, ```js file=PATH)"
    } else if (kind === "run" && lang === "js" && attrs.cjs !== undefined && attrs.cjs !== true) {
      problem = "write ```js cjs for a CommonJS script"
    }
    out.push({ file, line: i + 1, lang, kind, attrs, code, problem })
    i = j
  }
  return out
}

/** Every block of every README. */
export const readmeBlocks = (base = root) =>
  readmeFiles(base).flatMap((file) => blocksOf(readFileSync(join(base, file), "utf8"), file))

/** A file name for a block: `README-L120.ts`, `packages-query-README-L12.mjs`. */
export const blockFileName = (block) => {
  const ext = block.lang === "js" ? (block.attrs.cjs === true ? "cjs" : "mjs") : block.lang
  return `${block.file.replace(/\.md$/, "").replace(/[/\\]/g, "-")}-L${block.line}.${ext}`
}

/** The environment a runnable block gets: the emulator's key and URL, nothing of the caller's Comet settings. */
export const blockEnv = (emulatorUrl, home) => {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^COMET_/.test(k) && v !== undefined) env[k] = v
  }
  return { ...env, HOME: home, USERPROFILE: home, COMET_API_KEY: "local-dev-key", COMET_URL_OVERRIDE: emulatorUrl }
}

/**
 * What a runnable block's run must show: exit 0, some output, and no warning or error on
 * stderr (Effect's version mismatch warning, MaxListenersExceededWarning, …). Returns the
 * problems, empty when the run is good.
 */
export const runProblems = ({ status, stdout, stderr, signal }) => {
  const problems = []
  if (signal) problems.push(`killed by ${signal}`)
  else if (status !== 0) problems.push(`exit code ${status}`)
  if (stdout.trim().length === 0) problems.push("printed nothing (an example shows its result)")
  if (stderr.trim().length > 0) problems.push(`wrote to stderr:\n${stderr.trim().slice(0, 2000)}`)
  return problems
}

/** Commands a ```sh block may use besides pnpm, npm, npx, node and our packages' bins. */
const SHELL_COMMANDS = new Set([
  "export",
  "cd",
  "curl",
  "git",
  "bash",
  "cat",
  "echo",
  "mkdir",
  "python3",
  "head",
  "tail",
  "ls",
  "wc"
])
/** Tools a README may tell users to install or run, besides our packages and their peers. */
const TOOLS = new Set(["typescript", "@types/node", "vitest", "@effect/vitest", "tsx", "tsc", "pnpm"])
const PNPM_BUILTINS = new Set(["install", "i", "add", "exec", "dlx", "pack", "publish", "run", "-r", "--filter"])

/**
 * Problems with a ```sh block: every command must name a root pnpm script, a bin of one of our
 * packages, one of our packages or their peers, or an existing file. `context` is
 * `{ scripts, bins, packages, exists }`.
 */
export const shellProblems = (code, { scripts, bins, packages, exists }) => {
  const problems = []
  const joined = code.replace(/\\\n/g, " ")
  for (const raw of joined.split("\n")) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim()
    if (line.length === 0) continue
    for (const command of line.split(/&&|;|\|\|/).map((c) => c.replace(/&\s*$/, "").trim())) {
      if (command.length === 0) continue
      const words = command.split(/\s+/)
      // Leading VAR=value assignments are not the program.
      while (words.length > 1 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words.shift()
      const [program, first, ...rest] = words
      const installs = (args) =>
        args
          .filter((a) => !a.startsWith("-"))
          .map((a) => a.replace(/^(@?[^@]+)@.*$/, "$1"))
          .filter((name) => !packages.has(name) && !TOOLS.has(name))
          .forEach((name) => {
            problems.push(`${command}: ${name} is not one of our packages or their peers`)
          })
      if (program === "pnpm") {
        if (first === undefined) problems.push(`${command}: which script?`)
        else if (first === "add") installs(rest)
        else if (first === "run" ? !scripts.has(rest[0]) : !scripts.has(first) && !PNPM_BUILTINS.has(first)) {
          problems.push(`${command}: no root script ${first === "run" ? rest[0] : first}`)
        }
      } else if (program === "npm") {
        if (first === "install" || first === "i" || first === "add") installs(rest)
        else if (first !== "publish" && first !== "pack") problems.push(`${command}: npm ${first} is not checked`)
      } else if (program === "npx") {
        const bin = [first, ...rest].find((w) => !w.startsWith("-"))
        if (bin === undefined || (!bins.has(bin) && !TOOLS.has(bin))) problems.push(`${command}: no bin ${bin}`)
      } else if (program === "node") {
        const file = [first, ...rest].find((w) => !w.startsWith("-"))
        if (file !== undefined && !/\.(mjs|cjs|js)$/.test(file) && !exists(file)) {
          problems.push(`${command}: no file ${file}`)
        }
      } else if (program === "bash") {
        if (first === undefined || !exists(first)) problems.push(`${command}: no file ${first}`)
      } else if (program !== undefined && bins.has(program)) {
        // A bin of one of our packages, run as an installed command (comet-emulator, …).
      } else if (program === undefined || !SHELL_COMMANDS.has(program)) {
        problems.push(`${command}: ${program} is not a command the README check knows (mark the block sh fragment?)`)
      }
    }
  }
  return problems
}

/** The packages of ours (`@comet-ts/…`) a piece of code imports, requires or loads with import(). */
const importedPackages = (code) =>
  new Set([...code.matchAll(/(?:\bfrom|\bimport|\brequire\s*\()\s*\(?\s*["'](@comet-ts\/[^/"']+)/g)].map((m) => m[1]))

/** The packages of ours a ```sh block installs (`npm install …`, `pnpm add …`). */
const installedPackages = (code) => {
  const out = new Set()
  for (const line of code.replace(/\\\n/g, " ").split("\n")) {
    const words = line
      .replace(/(^|\s)#.*$/, "")
      .trim()
      .split(/\s+/)
    const at = words.findIndex(
      (w, i) => (words[i - 1] === "npm" && (w === "install" || w === "i")) || (words[i - 1] === "pnpm" && w === "add")
    )
    if (at < 0) continue
    for (const w of words.slice(at + 1)) {
      const name = w.replace(/^(@?[^@]+)@.*$/, "$1")
      if (name.startsWith("@comet-ts/")) out.add(name)
    }
  }
  return out
}

/**
 * Problems with what one README tells users to install: every package of ours its TypeScript
 * and JavaScript programs import must be in one of its install commands. A package's own
 * dependencies are not importable from the user's project under pnpm, Yarn PnP or npm's linked
 * layout (nor declared by it under npm's hoisting), so an example importing `@comet-ts/query`
 * after `npm install @comet-ts/api` fails there with "Cannot find module". Returns the problems,
 * empty when the README installs what its examples use.
 */
export const installProblems = (blocks) => {
  const installed = new Set(blocks.filter((b) => b.kind === "sh").flatMap((b) => [...installedPackages(b.code)]))
  if (installed.size === 0) return []
  const problems = []
  for (const b of blocks) {
    if (!((b.lang === "ts" || b.lang === "js") && (b.kind === "run" || b.kind === "types"))) continue
    for (const name of importedPackages(b.code)) {
      if (!installed.has(name)) {
        problems.push(`${b.file}:${b.line} imports ${name}, which no install command of ${b.file} installs`)
      }
    }
  }
  return [...new Set(problems)]
}
