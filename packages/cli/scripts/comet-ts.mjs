#!/usr/bin/env node
// The `comet-ts` bin inside the monorepo: runs src/bin.ts from an esbuild bundle (see
// scripts/bundle.mjs), rebuilt when a source changes, so it starts in about a second instead of
// the seconds a TypeScript loader takes. The published package's bin is dist/bin.js
// (publishConfig.bin), compiled by `pnpm build`.
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { launch } from "../../../scripts/bundle.mjs"

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..")
await launch({ name: "comet-ts", entry: join(pkg, "src", "bin.ts"), dir: pkg, launcher: import.meta.url })
