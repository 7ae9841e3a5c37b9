#!/usr/bin/env node
/**
 * The `comet-ts` program: runs the command line with the process's streams and environment,
 * sets the exit code, and stops cleanly on Ctrl-C (exit code 130, no partial file left).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { run } from "./Cli.js"
import { ExitCode } from "./ExitCodes.js"

const fiber = Effect.runFork(
  run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
)
/** How long an interrupted command may take to clean up before the process exits anyway. */
const GRACE_MS = 2000
let signalled = false
const stop = () => {
  if (signalled) process.exit(ExitCode.interrupted)
  signalled = true
  Effect.runFork(Fiber.interrupt(fiber))
  // A file-system call that never settles (Node's recursive mkdir under /proc) must not hold
  // Ctrl-C: once the grace period is over the process ends with 130 whatever is pending.
  setTimeout(() => {
    process.stderr.write("comet-ts: interrupted.\n")
    process.exit(ExitCode.interrupted)
  }, GRACE_MS).unref()
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
fiber.addObserver((exit) => {
  process.removeListener("SIGINT", stop)
  process.removeListener("SIGTERM", stop)
  if (Exit.isSuccess(exit)) process.exitCode = exit.value
  else {
    process.stderr.write("comet-ts: interrupted.\n")
    process.exitCode = ExitCode.interrupted
  }
  // Work still pending in Node's thread pool (an fs call that never settles) must not keep the
  // finished command alive: exit once the output had a moment to drain.
  setTimeout(() => process.exit(), 500).unref()
})
