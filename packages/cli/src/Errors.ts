/**
 * The failures that belong to the command line itself, next to the library's `CometError`s: a
 * gate that does not hold, a reader that went away from stdout, a local file that cannot be
 * written, and arguments that do not fit together.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The gate was evaluated and does not hold (its verdict is already printed).
 *
 * @since 0.1.0
 */
export class GateNotMet extends Schema.TaggedError<GateNotMet>("@comet-ts/cli/GateNotMet")("GateNotMet", {
  verdict: Schema.String
}) {
  override get message(): string {
    return this.verdict
  }
}

/**
 * The reader of stdout went away (`comet-ts metrics … | head`): the command stops quietly.
 *
 * @since 0.1.0
 */
export class OutputClosed extends Schema.TaggedError<OutputClosed>("@comet-ts/cli/OutputClosed")("OutputClosed", {}) {
  override get message(): string {
    return "stdout was closed by its reader"
  }
}

/**
 * A local file or directory could not be read or written.
 *
 * @since 0.1.0
 */
export class FileError extends Schema.TaggedError<FileError>("@comet-ts/cli/FileError")("FileError", {
  path: Schema.String,
  operation: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `could not ${this.operation} ${this.path}: ${this.detail}. Check that the directory exists and is writable, and that the disk has room.`
  }
}

/**
 * Command-line arguments that parse but do not fit together (`--min` without `--metric`).
 *
 * @since 0.1.0
 */
export class UsageError extends Schema.TaggedError<UsageError>("@comet-ts/cli/UsageError")("UsageError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}
