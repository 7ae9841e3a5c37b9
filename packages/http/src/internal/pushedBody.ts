/**
 * A response body the transport pushes chunks into and the caller reads one chunk at a time,
 * with backpressure: the body of the undici adapter (fed by undici's `onData`) and of the socket
 * reader (`socketBody.ts`, fed by its reads).
 *
 * @internal
 */
import { NetworkFailure, type WireBody } from "./transport.js"

/** Bytes queued unread before the socket is paused (undici's own body stream holds 64 KiB). */
export const HIGH_WATER = 64 * 1024

/**
 * A response body fed chunk by chunk from the socket's side (undici's `onData`, our own socket
 * reader's reads), read with `read()`: no stream in between. The socket is paused while
 * {@link HIGH_WATER} bytes wait unread and resumed as they are read; a failure (a reset, our
 * abort) rejects the read pending or the next one, never a quiet end.
 */
export class PushedBody implements WireBody {
  private readonly queue: Array<Uint8Array> = []
  private head = 0
  private queued = 0
  private ended = false
  private failure: { readonly error: unknown } | null = null
  private waiting: { readonly resolve: (c: Uint8Array | null) => void; readonly reject: (e: unknown) => void } | null =
    null
  private paused = false
  private done = false

  constructor(
    private readonly resumeSocket: () => void,
    private readonly exchange: { cancelled(reason: unknown): void }
  ) {}

  /** A chunk arrived; false pauses the socket. */
  push(chunk: Uint8Array): boolean {
    if (this.done || chunk.length === 0) return true
    const w = this.waiting
    if (w !== null) {
      this.waiting = null
      w.resolve(chunk)
      return true
    }
    this.queue.push(chunk)
    this.queued += chunk.length
    if (this.queued >= HIGH_WATER) this.paused = true
    return !this.paused
  }

  end(): void {
    this.ended = true
    const w = this.waiting
    if (w !== null && this.head === this.queue.length) {
      this.waiting = null
      this.done = true
      w.resolve(null)
    }
  }

  fail(error: unknown): void {
    if (this.ended || this.failure !== null) return
    this.failure = { error }
    const w = this.waiting
    if (w !== null) {
      this.waiting = null
      w.reject(error)
    }
  }

  readNow(): Uint8Array | null | undefined {
    if (this.head < this.queue.length) return this.take()
    if (this.done) return null
    if (this.failure !== null) return undefined
    if (this.ended) {
      this.done = true
      return null
    }
    return undefined
  }

  /** The first queued chunk, taken out (the socket resumed once enough was read). */
  private take(): Uint8Array {
    const chunk = this.queue[this.head] as Uint8Array
    this.queue[this.head] = EMPTY
    this.head++
    if (this.head === this.queue.length) {
      this.queue.length = 0
      this.head = 0
    }
    this.queued -= chunk.length
    if (this.paused && this.queued < HIGH_WATER) {
      this.paused = false
      this.resumeSocket()
    }
    return chunk
  }

  read(): Promise<Uint8Array | null> {
    if (this.head < this.queue.length) return Promise.resolve(this.take())
    if (this.done) return Promise.resolve(null)
    if (this.failure !== null) return Promise.reject(this.failure.error)
    if (this.ended) {
      this.done = true
      return Promise.resolve(null)
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject }
    })
  }

  cancel(): void {
    if (this.done) return
    this.done = true
    this.queue.length = 0
    this.head = 0
    this.queued = 0
    if (!this.ended && this.failure === null) {
      const error = new NetworkFailure("the body was closed before its end")
      this.failure = { error }
      const w = this.waiting
      this.waiting = null
      w?.reject(error)
      this.exchange.cancelled(error)
    }
  }
}

const EMPTY = new Uint8Array(0)
