import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "query",
    include: ["test/**/*.test.ts"],
    setupFiles: ["../../vitest.setup.ts"]
  }
})
