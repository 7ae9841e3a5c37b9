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
let signalled = false
const stop = () => {
  if (signalled) process.exit(ExitCode.interrupted)
  signalled = true
  Effect.runFork(Fiber.interrupt(fiber))
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
})
