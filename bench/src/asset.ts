import type { Benchmark } from "./types.js"
export const assetStream: Benchmark = { name: "asset-stream", run: async () => [] }
