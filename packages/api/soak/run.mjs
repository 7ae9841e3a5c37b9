// Launcher of `pnpm soak`: runs the soak from an esbuild bundle (see scripts/bundle.mjs; a
// TypeScript loader would also distort the memory figures). Run it with --expose-gc (the root
// script does) so the heap can be measured after a full collection.
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { bundled } from "../../../scripts/bundle.mjs"

const here = dirname(fileURLToPath(import.meta.url))
const pkg = join(here, "..")
const { outputs } = await bundled({
  entries: { soak: join(here, "soak.ts") },
  outdir: join(pkg, ".cache"),
  sources: [here, join(pkg, "test", "support")],
  launcher: fileURLToPath(import.meta.url)
})
await import(pathToFileURL(outputs.soak).href)
