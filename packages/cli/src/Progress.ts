/**
 * Progress bars (cli-progress) on stderr, drawn only when stderr is a terminal: a CI log or a
 * redirected stderr gets no bar and no control sequences.
 *
 * @since 0.1.0
 */
import { SingleBar } from "cli-progress"
import * as Effect from "effect/Effect"
import { Io } from "./Io.js"

/**
 * What a running command reports to its bar.
 *
 * @since 0.1.0
 */
export interface Progress {
  /** Set the current value (and the placeholders of the format). */
  readonly update: (value: number, payload?: Readonly<Record<string, string | number>>) => void
  /** Change the total (when it becomes known). */
  readonly setTotal: (total: number) => void
}

const silent: Progress = { update: () => {}, setTotal: () => {} }

/**
 * Run `use` with a progress bar of `total` steps in `format` (cli-progress placeholders such as
 * `{bar}`, `{value}`, `{total}`, `{percentage}`, `{eta_formatted}`, and the payload's keys); the
 * bar is removed when `use` ends, however it ends. Without a terminal on stderr, nothing is drawn.
 *
 * @since 0.1.0
 */
export const withProgress = <A, E, R>(
  options: {
    readonly total: number
    readonly format: string
    readonly payload?: Readonly<Record<string, string | number>> | undefined
  },
  use: (progress: Progress) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | Io> =>
  Effect.flatMap(Io, (io) => {
    if (!io.stderrIsTTY) return use(silent)
    return Effect.acquireUseRelease(
      Effect.sync(() => {
        const bar = new SingleBar({
          format: options.format,
          stream: io.stderr,
          barCompleteChar: "█",
          barIncompleteChar: "░",
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50
        })
        bar.start(options.total, 0, options.payload ?? {})
        return bar
      }),
      (bar) =>
        use({
          update: (value, payload) => bar.update(value, payload ?? {}),
          setTotal: (total) => bar.setTotal(total)
        }),
      (bar) => Effect.sync(() => bar.stop())
    )
  })
