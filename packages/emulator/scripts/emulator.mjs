// Launcher of `pnpm emulator`: runs the CLI from an esbuild bundle (see scripts/bundle.mjs), so
// it starts in about a second instead of the seconds a TypeScript loader takes.
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { bundled } from "../../../scripts/bundle.mjs"

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..")
const { outputs } = await bundled({
  entries: { "emulator-cli": join(pkg, "src", "bin.ts") },
  outdir: join(pkg, ".cache"),
  launcher: fileURLToPath(import.meta.url)
})
await import(pathToFileURL(outputs["emulator-cli"]).href)
