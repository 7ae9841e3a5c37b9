/**
 * A loopback port whose listen backlog is full, for tests of a connect that hangs: a listener
 * that never accepts (listen(0), in a python3 child: Node accepts every connection itself) with
 * its accept queue filled, so the kernel drops further SYNs and a connect waits.
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
          "python3",
          [
            "-c",
            'import socket,sys\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()'
          ],
          { stdio: ["pipe", "pipe", "inherit"] }
        )
        child.on("error", reject)
        child.stdout.once("data", (d: Buffer) => {
          const port = Number(String(d).trim())
          const fillers = [0, 1].map(() => connect(port, "127.0.0.1").on("error", () => {}))
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
