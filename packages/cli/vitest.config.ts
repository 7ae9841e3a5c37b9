import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "cli",
    include: ["test/**/*.test.ts"],
    setupFiles: ["../../vitest.setup.ts"],
    // Commands run whole request flows against the emulator (some as real subprocesses); give
    // them room on a loaded machine (the tests assert on output and exit codes, never on time).
    testTimeout: 60_000
  }
})
