/**
 * `run(argv, options)` and `Io.make(options)` read each of their options once (and each
 * variable of the environment they look at once): a getter or a Proxy sees one read.
 */
import { CometConfig } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { counted, readsOf } from "../../core/test/support/reads.js"
import { Io, run } from "../src/index.js"
import { baseEnv, clientOf, emulator, sink } from "./support/run.js"

describe("the command line's options are read once", () => {
  it("Io.make: stdout, stderr, env, secrets, and NO_COLOR, FORCE_COLOR, TERM, COMET_API_KEY", () => {
    const env = counted({ NO_COLOR: "", FORCE_COLOR: "1", TERM: "xterm", COMET_API_KEY: "k_0123456789abcdef" })
    const options = counted({ stdout: sink().stream, stderr: sink().stream, env: env.proxy, secrets: [] })
    const io = Io.make(options.proxy)
    assert.isFalse(io.stdoutIsTTY)
    assert.deepStrictEqual(readsOf(["stdout", "stderr", "env", "secrets"], options.reads), {
      stdout: 1,
      stderr: 1,
      env: 1,
      secrets: 1
    })
    assert.deepStrictEqual(readsOf(["NO_COLOR", "FORCE_COLOR", "TERM", "COMET_API_KEY"], env.reads), {
      NO_COLOR: 1,
      FORCE_COLOR: 1,
      TERM: 1,
      COMET_API_KEY: 1
    })
  })

  it.effect("run: each option once", () =>
    Effect.gen(function* () {
      const client = clientOf(yield* emulator())
      const options = counted({
        stdout: sink().stream,
        stderr: sink().stream,
        env: baseEnv,
        connection: { httpClient: client, sources: CometConfig.staticSources(baseEnv) }
      })
      const code = yield* run(["--version"], options.proxy)
      assert.strictEqual(code, 0)
      assert.deepStrictEqual(readsOf(["stdout", "stderr", "env", "connection"], options.reads), {
        stdout: 1,
        stderr: 1,
        env: 1,
        connection: 1
      })
    })
  )
})
