import type { Benchmark } from "./types.js"
export const emulatorThroughput: Benchmark = { name: "emulator", run: async () => [] }
