/**
 * Run in a child process (`node --import tsx`, argv: base URL, `close` or `open`): downloads
 * through the facade (two streams and a byte download, on a server that keeps connections
 * alive for a minute), then closes the client or leaves it open, and prints `done`. The
 * process must then exit by itself: idle pooled connections and their timers must not keep it.
 */
import { CometConfig } from "@comet-ts/core"
import { API } from "../../src/index.js"

const api = new API({
  apiKey: "ck_exit_after_downloads_0123456789",
  baseUrl: process.argv[2] as string,
  panel: false,
  sources: CometConfig.staticSources({})
})
for (let i = 0; i < 2; i++) for await (const _ of api.streamExperimentAsset("e", "a")) void _
await api.getExperimentAsset("e", "a")
if (process.argv[3] === "close") await api.close()
process.stdout.write("done")
