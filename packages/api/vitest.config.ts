import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "api",
    include: ["test/**/*.test.ts"],
    setupFiles: ["../../vitest.setup.ts"],
    // Integration tests run whole request flows against the emulator; give them room on a
    // loaded CI machine (they assert on values and counts, never on time).
    testTimeout: 30_000
  }
})
