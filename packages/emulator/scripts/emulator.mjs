// Launcher of `pnpm emulator`: runs the CLI from an esbuild bundle (see scripts/bundle.mjs), so
// it starts in about a second instead of the seconds a TypeScript loader takes.
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { launch } from "../../../scripts/bundle.mjs"

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..")
await launch({ name: "emulator-cli", entry: join(pkg, "src", "bin.ts"), dir: pkg, launcher: import.meta.url })
