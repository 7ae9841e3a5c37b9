// Launcher of `pnpm demo`: runs the demo from an esbuild bundle (see scripts/bundle.mjs), so it
// starts in about a second instead of the seconds a TypeScript loader takes. ECharts and
// cli-progress stay outside the bundle (plain JavaScript, loaded from this package).
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { launch } from "../../scripts/bundle.mjs"

const here = dirname(fileURLToPath(import.meta.url))
await launch({
  name: "demo",
  entry: join(here, "src", "main.ts"),
  dir: here,
  sources: [join(here, "src")],
  launcher: import.meta.url,
  external: ["echarts", "cli-progress"]
})
