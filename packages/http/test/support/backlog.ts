/**
 * A loopback port whose listen backlog is full, for tests of a connect that hangs: a listener
 * that never accepts (a Node child that listens with backlog 1, then blocks its event loop, so
 * libuv never calls accept) with its accept queue filled, so the kernel drops further SYNs and
 * a connect waits.
 */
import { spawn } from "node:child_process"
import { connect } from "node:net"
import { Effect } from "effect"

/** The port's URL; the listener and the queue's fillers are released with the scope. */
export const fullBacklog = Effect.acquireRelease(
  Effect.promise(
    () =>
      new Promise<{ url: string; release: () => void }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [
            "-e",
            'const s=require("node:net").createServer();s.listen({port:0,host:"127.0.0.1",backlog:1},()=>{require("node:fs").writeSync(1,s.address().port+"\\n");Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0)})'
          ],
          { stdio: ["ignore", "pipe", "inherit"] }
        )
        child.on("error", reject)
        child.stdout.once("data", (d: Buffer) => {
          const port = Number(String(d).trim())
          const fillers = [0, 1, 2].map(() => connect(port, "127.0.0.1").on("error", () => {}))
          setTimeout(
            () =>
              resolve({
                url: `http://127.0.0.1:${port}`,
                release: () => {
                  for (const s of fillers) s.destroy()
                  child.kill()
                }
              }),
            100
          )
        })
      })
  ),
  ({ release }) => Effect.sync(release)
)
