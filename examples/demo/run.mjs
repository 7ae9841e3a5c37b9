// Launcher of `pnpm demo`: runs the demo from an esbuild bundle (see scripts/bundle.mjs), so it
// starts in about a second instead of the seconds a TypeScript loader takes. ECharts and
// cli-progress stay outside the bundle (plain JavaScript, loaded from this package).
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { bundled } from "../../scripts/bundle.mjs"

const here = dirname(fileURLToPath(import.meta.url))
const { outputs } = await bundled({
  entries: { demo: join(here, "src", "main.ts") },
  outdir: join(here, ".cache"),
  sources: [join(here, "src")],
  launcher: fileURLToPath(import.meta.url),
  external: ["echarts", "cli-progress"]
})
await import(pathToFileURL(outputs.demo).href)
