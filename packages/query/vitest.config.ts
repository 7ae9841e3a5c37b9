import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "query",
    include: ["test/**/*.test.ts"],
    setupFiles: ["../../vitest.setup.ts"],
    // Room for a loaded CI machine: tests assert on values and counts, never on time.
    testTimeout: 30_000
  }
})
