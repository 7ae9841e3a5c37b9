#!/usr/bin/env node
/**
 * `pnpm emulator`: run the Comet REST v2 emulator in the foreground (see Cli.ts).
 *
 * pnpm does not pass SIGTERM on to the script it runs: when pnpm is killed, this process is
 * left to init. So the process also shuts down (as on SIGTERM) when its parent goes away.
 *
 * @since 0.1.0
 */
import { main } from "./Cli.js"

const parent = process.ppid
const watchdog = setInterval(() => {
  if (process.ppid !== parent) {
    clearInterval(watchdog)
    process.kill(process.pid, "SIGTERM")
  }
}, 250)
watchdog.unref()

main(process.argv.slice(2))
