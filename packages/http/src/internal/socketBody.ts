/**
 * Downloads read straight from a socket of our own: an HTTP/1.1 GET over `node:net` /
 * `node:tls` with `onread` (the kernel reads into slabs we hand out, no Readable, no copy into
 * a parser's memory), a status-line and header parser, and Content-Length or chunked framing;
 * each chunk is a slice of a slab, never overwritten, handed to the caller as is (a short read
 * is copied out, so that what the caller keeps pins no slab). Idle
 * connections are kept per origin for the next download (unreferenced, closed before the server
 * would close them). What undici's adapter does is done the same way: its TLS settings, connect
 * timeout and error codes, its 16 KiB head limit, no timers of its own on the head or the body
 * (CometHttp's deadlines abort through the signal), and the same answer to a pooled connection
 * the server closes under a request: a request that may be sent twice (`replayable`: every GET)
 * whose reused connection closes or resets before any byte of the answer is sent once more, at
 * once, on a connection opened for it (not a retry; never twice, never after an abort); any
 * other loss fails the request (the retry policy decides).
 *
 * Node only: reached through the `node` export condition (from transportUndici.ts).
 *
 * @internal
 */
import type * as Net from "node:net"
import type * as Tls from "node:tls"
import { PushedBody } from "./pushedBody.js"
import { type Cancel, NetworkFailure, type WireBody, type WireRequest } from "./transport.js"

/** What a socket download needs of the transport's settings. */
export interface SocketOptions {
  /** Idle connections kept per origin at most. */
  readonly connections: number
  /** Certificate authorities (PEM), or null for Node's defaults. */
  readonly ca: ReadonlyArray<string> | null
  readonly rejectUnauthorized: boolean
  /** TCP and TLS connect time allowed (ms). */
  readonly connectTimeoutMs: number
}

/** A response head and its raw body (framing removed, content codings not). */
export interface SocketResponse {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: WireBody
}

/** The largest response head accepted (undici's `maxHeaderSize` default). */
export const MAX_HEADER_SIZE = 16 * 1024
/**
 * Slab size at most: each read goes into the unused tail of the current slab and is handed out
 * as a slice of it (never written again), a new slab taken when less than {@link MIN_READ} is
 * left. A slice kept by the caller keeps its whole slab alive: a connection's slabs grow with
 * what it has read (twice that, from {@link MIN_READ} to this), so the memory its last slab pins
 * is at most about twice the bytes read on it, not 1 MiB behind a few bytes.
 */
const SLAB = 1024 * 1024
const MIN_READ = 64 * 1024
/**
 * A read shorter than this is copied out of the slab into memory of its own (and the slab's
 * space used again): a drip-fed body (a byte per read) or a small answer kept by the caller
 * pins its own bytes, as undici's reads did, never a slab.
 */
const COPY_BELOW = 16 * 1024
/**
 * An idle connection is closed after this long (undici's `keepAliveTimeout`), or after the
 * server's `Keep-Alive: timeout=N` less {@link IDLE_THRESHOLD_MS} (undici's threshold, at most
 * {@link IDLE_MAX_MS}): closed by us before the server closes it, so that a request is not
 * written onto a connection the server is closing.
 */
const IDLE_MS = 4_000
const IDLE_THRESHOLD_MS = 2_000
const IDLE_MAX_MS = 600_000
/** The longest chunk-size line accepted (size and extensions). */
const MAX_CHUNK_LINE = 4 * 1024

const CR = 13
const LF = 10

/** A response the server framed wrongly: not a network hiccup, but retried as one. */
const framing = (detail: string): NetworkFailure => {
  const cause = Object.assign(new Error(detail), { code: "HPE_INVALID_RESPONSE" })
  cause.name = "HTTPParserError"
  return new NetworkFailure(`the server's response is not valid HTTP/1.1: ${detail}`, { cause })
}

const closedEarly = (what: string, cause?: unknown): NetworkFailure =>
  new NetworkFailure(`the server closed the connection ${what}`, cause === undefined ? undefined : { cause })

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** How every status line begins (its bytes). */
const STATUS_START = Buffer.from("HTTP/1.", "latin1")
/** A status line: HTTP/1.0 or 1.1, a status of 100 to 999 (llhttp's range), an optional reason. */
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d{2})(?: [^\r\n]*)?$/
/** A field value's characters (RFC 9110 §5.5: HTAB, SP, VCHAR, obs-text; no other control, no DEL). */
const FIELD_VALUE = /^[\t -~\x80-\xff]*$/
/** Optional whitespace around a field value (RFC 9110 §5.6.3: SP and HTAB, nothing else). */
const OWS = /^[ \t]+|[ \t]+$/g
/**
 * A chunk-size line (RFC 9112 §7.1.1): hex digits (leading zeros allowed, as llhttp allows
 * them), then extensions `;name` or `;name=value` (a token or a quoted string), whitespace only
 * around `;` and `=`.
 */
const CHUNK_LINE =
  /^0*([0-9A-Fa-f]{1,12})((?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[\t !#-[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"))?)*)$/

/**
 * An excerpt of what the server sent, for a message: at most `max` characters, never ending
 * inside a word (a cut secret the server echoed would be a prefix no scrubbing recognises: the
 * last word, cut, is dropped whole).
 */
export const excerpt = (text: string, max: number): string => {
  if (text.length <= max) return JSON.stringify(text)
  const cut = text.slice(0, max + 1).replace(/[^\s"',;:=()<>[\]{}]*$/, "")
  return `${JSON.stringify(cut)}…`
}

/** A field line (header or trailer): its lower-case name and value, or a framing failure. */
const fieldOf = (line: string): readonly [string, string] => {
  const first = line.charCodeAt(0)
  if (first === 32 || first === 9) throw framing("obsolete line folding in a header")
  const colon = line.indexOf(":")
  const name = colon <= 0 ? "" : line.slice(0, colon)
  if (!TOKEN.test(name)) throw framing(`bad header line ${excerpt(line, 80)}`)
  const value = line.slice(colon + 1).replace(OWS, "")
  if (!FIELD_VALUE.test(value)) throw framing("a control character in a header value")
  return [name.toLowerCase(), value]
}

/** The parsed head of one response. */
interface Head {
  readonly status: number
  readonly minor: number
  readonly headers: Record<string, string>
}

/** Parse a response head (without its final CRLF CRLF), or throw a framing failure. */
const parseHead = (text: string): Head => {
  const lines = text.split("\r\n")
  const m = STATUS_LINE.exec(lines[0] ?? "")
  if (m === null) throw framing(`bad status line ${excerpt(lines[0] ?? "", 80)}`)
  const headers: Record<string, string> = {}
  for (let i = 1; i < lines.length; i++) {
    const [key, value] = fieldOf(lines[i] as string)
    const before = headers[key]
    headers[key] = before === undefined ? value : `${before}, ${value}`
  }
  return { status: Number(m[2]), minor: Number(m[1]), headers }
}

/** How a body is delimited. */
type Framing =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" }
  | { readonly kind: "close" }

const framingOf = (head: Head): Framing => {
  if (head.status === 204 || head.status === 304) return { kind: "none" }
  const te = head.headers["transfer-encoding"]
  const cl = head.headers["content-length"]
  if (te !== undefined) {
    if (cl !== undefined) throw framing("both Content-Length and Transfer-Encoding")
    // RFC 9112 §6.3: chunked last, once, else read to the close; `identity` (RFC 2616's) is no
    // coding. Any other transfer coding is refused: it is not decoded, and undici's body of raw
    // `gzip, chunked` bytes read as identity was a wrong body, not a framing.
    const list = te
      .toLowerCase()
      .split(",")
      .map((v) => v.replace(OWS, ""))
      .filter((v) => v !== "identity")
    if (list.length === 0) return { kind: "close" }
    if (list.length !== 1 || list[0] !== "chunked") throw framing(`Transfer-Encoding ${excerpt(te, 80)}`)
    return { kind: "chunked" }
  }
  if (cl !== undefined) {
    // leading zeros allowed (as llhttp allows them); equal values repeated read as one (RFC 9110 §8.6)
    const values = cl.split(",").map((v) => v.replace(OWS, "").replace(/^0+(?=\d)/, ""))
    const first = values[0] as string
    if (!/^\d{1,15}$/.test(first) || values.some((v) => v !== first)) {
      throw framing(`Content-Length ${excerpt(cl, 80)}`)
    }
    const length = Number(first)
    return length === 0 ? { kind: "none" } : { kind: "length", length }
  }
  return { kind: "close" }
}

/**
 * How long a connection may stay idle after this response (ms), as undici reads it; 0 when it
 * must not carry another request.
 */
const keepAliveMs = (head: Head): number => {
  const c = (head.headers.connection ?? "").toLowerCase()
  if (/(^|,)\s*close\s*(,|$)/.test(c)) return 0
  if (head.minor !== 1 && !/(^|,)\s*keep-alive\s*(,|$)/.test(c)) return 0
  const hint = /timeout=(\d+)/.exec(head.headers["keep-alive"] ?? "")
  if (hint === null) return IDLE_MS
  return Math.max(0, Math.min(Number(hint[1]) * 1000 - IDLE_THRESHOLD_MS, IDLE_MAX_MS))
}

/** Chunked decoding states. */
enum Chunk {
  Size,
  Data,
  DataCr,
  DataLf,
  Trailer,
  /** The last chunk and the trailers were read. */
  End
}

/** A connection of the pool: a socket, read through `onread`, carrying one exchange at a time. */
class Connection {
  /**
   * Where the next read goes: the rest of the slab after the `used` bytes handed out. The first
   * is small (a short answer pins no more), the next ones {@link SLAB}.
   */
  private slab: Buffer = Buffer.allocUnsafe(MIN_READ)
  private used = 0
  /** Bytes read on this connection into slabs (sizes the next slab). */
  private sliced = 0
  exchange: Exchange | null = null
  alive = true
  private idleTimer: ReturnType<typeof setTimeout> | null = null
  /**
   * Released in this turn of the event loop or the next: a close sent with the answer (a server
   * that closes right after it, without saying so) is read by the next turn's poll (libuv stops
   * reading at a short read), and seen only then. Requests for it wait ({@link afterSettling}).
   */
  settling = false
  private settled: Array<() => void> = []

  /** Run `f` once the connection settled (now, when it has). */
  afterSettling(f: () => void): void {
    if (this.settling) this.settled.push(f)
    else f()
  }
  readonly socket: Net.Socket

  constructor(
    private readonly pool: Pool,
    readonly key: string,
    connect: (onread: Net.OnReadOpts) => Net.Socket
  ) {
    this.socket = connect({
      buffer: () => {
        if (this.slab.length - this.used < MIN_READ) {
          this.slab = Buffer.allocUnsafe(Math.min(SLAB, 2 ** Math.ceil(Math.log2(Math.max(MIN_READ, 2 * this.sliced)))))
          this.used = 0
        }
        return this.slab.subarray(this.used)
      },
      callback: (n: number, buf: Uint8Array) => {
        let chunk = buf.subarray(0, n)
        if (n < COPY_BELOW) {
          // a Buffer of its own (not from Node's shared pool), as every chunk before was a Buffer
          const copy = Buffer.allocUnsafeSlow(n)
          copy.set(chunk)
          chunk = copy
        } else if (buf.buffer === this.slab.buffer) {
          this.used = buf.byteOffset - this.slab.byteOffset + n
          this.sliced += n
        }
        const x = this.exchange
        if (x === null) {
          // bytes nobody asked for: the connection is not usable any more
          this.destroy()
          return false
        }
        return x.data(chunk)
      }
    })
    this.socket.on("error", (e: Error) => this.lost(e))
    this.socket.on("end", () => this.lost(null))
    this.socket.on("close", () => this.lost(null))
  }

  private lost(error: Error | null): void {
    if (!this.alive) {
      this.exchange?.broken(error)
      return
    }
    this.alive = false
    this.clearIdle()
    this.pool.forget(this)
    const x = this.exchange
    this.exchange = null
    x?.broken(error)
    this.socket.destroy()
  }

  destroy(): void {
    this.lost(null)
  }

  /** Start reading again after the body's queue drained. */
  resume(): void {
    if (this.alive) this.socket.resume()
  }

  /**
   * The response was read to its framed end: keep the connection for the next request for
   * `idleMs` (unreferenced: an idle connection does not keep the process alive), or close it (0).
   */
  released(idleMs: number): void {
    this.exchange = null
    if (idleMs <= 0 || !this.alive || !this.pool.keep(this)) {
      this.destroy()
      return
    }
    this.socket.unref()
    // an idle connection keeps reading (a read stopped by the body's backpressure included), so
    // that the server's close, or bytes nobody asked for, are seen before a request is written
    this.socket.resume()
    this.idleTimer = setTimeout(() => this.destroy(), idleMs)
    this.idleTimer.unref?.()
    this.settling = true
    // two turns: the check phase of this one, then that of the next, after its poll
    setImmediate(() =>
      setImmediate(() => {
        this.settling = false
        const waiting = this.settled
        this.settled = []
        for (const f of waiting) f()
      })
    )
  }

  /** Take it from the pool for a request. */
  claim(exchange: Exchange): void {
    this.clearIdle()
    this.socket.ref()
    this.exchange = exchange
    this.socket.resume()
  }

  private clearIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }
}

/** The idle connections of every origin, and the connections being made. */
class Pool {
  private readonly idle = new Map<string, Array<Connection>>()
  readonly all = new Set<Connection>()

  constructor(private readonly max: number) {}

  take(key: string): Connection | null {
    const list = this.idle.get(key)
    while (list !== undefined && list.length > 0) {
      const c = list.pop() as Connection
      if (c.alive) return c
    }
    return null
  }

  keep(c: Connection): boolean {
    if (this.closed || !c.alive) return false
    let list = this.idle.get(c.key)
    if (list === undefined) {
      list = []
      this.idle.set(c.key, list)
    }
    if (list.length >= this.max) return false
    list.push(c)
    return true
  }

  forget(c: Connection): void {
    this.all.delete(c)
    const list = this.idle.get(c.key)
    if (list === undefined) return
    const i = list.indexOf(c)
    if (i !== -1) list.splice(i, 1)
  }

  closed = false

  close(): void {
    this.closed = true
    for (const c of [...this.all]) c.destroy()
    this.idle.clear()
  }
}

/** One GET and its answer, on a connection. */
class Exchange {
  private phase: "head" | "body" | "done" = "head"
  private headParts: Array<Uint8Array> = []
  private headBytes = 0
  private framing: Framing = { kind: "none" }
  private remaining = 0
  private chunkState = Chunk.Size
  private line = ""
  /** The trailer's bytes so far. */
  private trailerBytes = 0
  /** How long the connection may stay idle after this response (ms); 0: close it. */
  private keepAlive = 0
  private body: PushedBody | null = null
  conn: Connection | null = null
  /** A byte of the response was read. */
  private started = false

  constructor(
    readonly signal: Cancel,
    private readonly resolve: (r: SocketResponse) => void,
    private readonly reject: (e: unknown) => void,
    /**
     * Send the request once more on a new connection (true when sent): set when it went out on
     * a reused connection and may be sent twice; null otherwise, and once used.
     */
    private resend: (() => boolean) | null
  ) {}

  private settled = false

  /** Bytes from the socket; false stops reading until {@link resume}. */
  data(chunk: Uint8Array): boolean {
    this.started = true
    try {
      return this.feed(chunk)
    } catch (e) {
      this.failWith(e)
      return false
    }
  }

  resume(): void {
    this.conn?.resume()
  }

  private feed(input: Uint8Array): boolean {
    let chunk = input
    let more = true
    while (chunk.length > 0) {
      if (this.phase === "head") {
        const rest = this.feedHead(chunk)
        if (rest === null) return true
        chunk = rest
        continue
      }
      if (this.phase === "done") {
        // bytes after the framed end: the connection cannot be trusted with another request
        this.keepAlive = 0
        return false
      }
      const f = this.framing
      if (f.kind === "close") return (this.body as PushedBody).push(chunk)
      if (f.kind === "length") {
        if (chunk.length < this.remaining) {
          this.remaining -= chunk.length
          return (this.body as PushedBody).push(chunk)
        }
        const piece = chunk.subarray(0, this.remaining)
        chunk = chunk.subarray(this.remaining)
        this.remaining = 0
        more = (this.body as PushedBody).push(piece)
        this.complete(chunk.length === 0)
        return more
      }
      // chunked
      chunk = this.feedChunked(chunk)
      if (this.chunkState === Chunk.End) {
        this.complete(chunk.length === 0)
        return more && !this.pushedFull
      }
      if (this.pushedFull) {
        this.pushedFull = false
        more = false
      }
    }
    return more
  }

  private pushedFull = false

  /** Consume chunked bytes; returns what is left after the last chunk (usually nothing). */
  private feedChunked(input: Uint8Array): Uint8Array {
    let chunk = input
    while (chunk.length > 0 && this.chunkState !== Chunk.End) {
      switch (this.chunkState) {
        case Chunk.Size:
        case Chunk.Trailer: {
          const lf = chunk.indexOf(LF)
          const end = lf === -1 ? chunk.length : lf + 1
          this.line += latin1(chunk.subarray(0, end))
          if (this.line.length > MAX_CHUNK_LINE) throw framing("a chunk-size or trailer line too long")
          chunk = chunk.subarray(end)
          if (lf === -1) break
          if (!this.line.endsWith("\r\n")) throw framing("a bare LF in chunked framing")
          const line = this.line.slice(0, -2)
          this.line = ""
          if (this.chunkState === Chunk.Trailer) {
            // trailer fields are read as header fields are (and as undici reads them), and count
            // against the head's limit: an endless trailer is refused, not read for ever
            if (line === "") this.chunkState = Chunk.End
            else {
              fieldOf(line)
              this.trailerBytes += line.length + 2
              if (this.trailerBytes > MAX_HEADER_SIZE) throw headersTooLarge()
            }
            break
          }
          const m = CHUNK_LINE.exec(line)
          if (m === null) throw framing(`bad chunk size ${excerpt(line, 40)}`)
          const size = Number.parseInt(m[1] as string, 16)
          if (size === 0) this.chunkState = Chunk.Trailer
          else {
            this.remaining = size
            this.chunkState = Chunk.Data
          }
          break
        }
        case Chunk.Data: {
          const n = Math.min(this.remaining, chunk.length)
          if (!(this.body as PushedBody).push(chunk.subarray(0, n))) this.pushedFull = true
          this.remaining -= n
          chunk = chunk.subarray(n)
          if (this.remaining === 0) this.chunkState = Chunk.DataCr
          break
        }
        case Chunk.DataCr:
          if (chunk[0] !== CR) throw framing("a chunk not followed by CRLF")
          chunk = chunk.subarray(1)
          this.chunkState = Chunk.DataLf
          break
        case Chunk.DataLf:
          if (chunk[0] !== LF) throw framing("a chunk not followed by CRLF")
          chunk = chunk.subarray(1)
          this.chunkState = Chunk.Size
          break
      }
    }
    return chunk
  }

  /** Head bytes checked for line endings so far. */
  private headScanned = 0
  /** CR and LF bytes skipped before the status line. */
  private skipped = 0
  /** The status of the last 1xx informational answer read before this head, if any. */
  private interim: number | null = null

  /**
   * Refuse a head that does not begin as a status line (`HTTP/1.`) as soon as its first bytes
   * say so, as llhttp does — not waiting for a CRLF CRLF, or the timeout, that may never come.
   * After a 1xx answer those bytes are a body it sent: a 1xx answer ends with its head
   * (RFC 9110 §15.2), so the error names that.
   */
  private checkStart(head: Uint8Array): void {
    const n = Math.min(head.length, STATUS_START.length)
    for (let i = 0; i < n; i++) {
      if (head[i] === STATUS_START[i]) continue
      const sent = excerpt(latin1(head.subarray(0, Math.min(head.length, 40))), 40)
      throw framing(
        this.interim === null
          ? `bad status line ${sent}`
          : `a body after the ${this.interim} informational answer (a 1xx answer has no body, RFC 9110 §15.2): ${sent}`
      )
    }
  }

  /**
   * Refuse a head whose lines do not end in CRLF (a bare LF or CR), as llhttp does, at once:
   * not waiting for a CRLF CRLF that may never come. Checks `head[headScanned, limit)`.
   */
  private scanHead(head: Uint8Array, limit: number): void {
    let i = this.headScanned
    for (; i < limit; i++) {
      const b = head[i]
      if (b === LF && (i === 0 || head[i - 1] !== CR)) throw framing("a bare LF in the response head")
      if (b === CR) {
        if (i + 1 === limit) break
        if (head[i + 1] !== LF) throw framing("a bare CR in the response head")
      }
    }
    this.headScanned = i
  }

  /** Consume head bytes: the rest after the head when it is complete, else null. */
  private feedHead(input: Uint8Array): Uint8Array | null {
    let chunk = input
    // CR and LF bytes before a status line are skipped one by one, as llhttp skips them — so a
    // CRLF split across reads, or a lone LF, is skipped too (counted in the head's limit)
    if (this.headBytes === 0) {
      let i = 0
      while (i < chunk.length && (chunk[i] === CR || chunk[i] === LF)) i++
      if (i > 0) {
        chunk = chunk.subarray(i)
        this.skipped += i
        if (this.skipped > MAX_HEADER_SIZE) throw headersTooLarge()
      }
    }
    if (chunk.length === 0) return null
    this.headParts.push(chunk)
    this.headBytes += chunk.length
    const all = this.headParts.length === 1 ? chunk : Buffer.concat(this.headParts, this.headBytes)
    if (all.length - chunk.length < STATUS_START.length) this.checkStart(all)
    const end = Buffer.from(all.buffer, all.byteOffset, all.length).indexOf("\r\n\r\n")
    this.scanHead(all, end === -1 ? all.length : end + 4)
    if (end === -1) {
      if (this.headBytes > MAX_HEADER_SIZE) throw headersTooLarge()
      this.headParts = [all]
      return null
    }
    if (end + 4 > MAX_HEADER_SIZE) throw headersTooLarge()
    this.headParts = []
    this.headBytes = 0
    this.headScanned = 0
    const head = parseHead(latin1(all.subarray(0, end)))
    const rest = all.subarray(end + 4)
    if (head.status < 200) {
      if (head.status === 101) throw framing("101 Switching Protocols to a GET")
      this.interim = head.status
      return rest
    }
    this.framing = framingOf(head)
    this.keepAlive = this.framing.kind === "close" ? 0 : keepAliveMs(head)
    this.phase = "body"
    if (this.framing.kind === "length") this.remaining = this.framing.length
    if (this.framing.kind === "none") {
      this.settle({ status: head.status, headers: head.headers, body: emptyBodyOf() })
      this.complete(rest.length === 0)
      return rest.length === 0 ? null : rest
    }
    const body = new PushedBody(() => this.resume(), this)
    this.body = body
    this.settle({ status: head.status, headers: head.headers, body })
    return rest
  }

  private settle(r: SocketResponse): void {
    this.settled = true
    this.resolve(r)
  }

  /** The response reached its framed end. */
  private complete(clean: boolean): void {
    this.phase = "done"
    this.signal.removeEventListener("abort", this.onAbort)
    this.body?.end()
    const conn = this.conn
    this.conn = null
    conn?.released(clean ? this.keepAlive : 0)
  }

  /** A failure: the head's promise rejects, or the body fails; the connection is closed. */
  failWith(e: unknown): void {
    if (this.phase === "done") return
    this.phase = "done"
    this.signal.removeEventListener("abort", this.onAbort)
    if (!this.settled) {
      this.settled = true
      this.reject(e)
    } else this.body?.fail(e)
    const conn = this.conn
    this.conn = null
    conn?.destroy()
  }

  /** The connection ended or failed under this exchange. */
  broken(error: Error | null): void {
    if (this.phase === "done") return
    const resend = this.resend
    this.resend = null
    if (resend !== null && !this.started && !this.signal.aborted) {
      // the reused connection was closed before any byte of the answer: once more, on a new one
      this.phase = "done"
      this.signal.removeEventListener("abort", this.onAbort)
      this.conn = null
      if (resend()) return
      this.phase = "head"
      this.signal.addEventListener("abort", this.onAbort, { once: true })
    }
    if (this.phase === "body" && this.framing.kind === "close" && error === null) {
      // the body is delimited by the connection's end
      this.phase = "done"
      this.signal.removeEventListener("abort", this.onAbort)
      this.body?.end()
      this.conn = null
      return
    }
    const what = this.phase === "head" ? "before its response was complete" : "before the end of the body"
    this.failWith(error === null ? closedEarly(what) : new NetworkFailure(`${error.message}`, { cause: error }))
  }

  /** The signal fired. */
  readonly onAbort = (): void => {
    this.failWith(this.signal.reason)
  }

  /** The caller cancelled the body before its end. */
  cancelled(reason: unknown): void {
    this.failWith(reason)
  }
}

const headersTooLarge = () => {
  const cause = Object.assign(new Error("Headers Overflow"), { code: "UND_ERR_HEADERS_OVERFLOW" })
  cause.name = "HeadersOverflowError"
  return new NetworkFailure(`the response's head is larger than ${MAX_HEADER_SIZE} bytes`, { cause })
}

const emptyBodyOf = (): WireBody => ({ read: () => Promise.resolve(null), readNow: () => null, cancel: () => {} })

const decoder = new TextDecoder("latin1")
const latin1 = (b: Uint8Array): string => decoder.decode(b)

/** A connect that took longer than allowed, as undici names it (the error mapping knows the code). */
const connectTimeout = (ms: number): Error =>
  Object.assign(new Error(`Connect Timeout Error (timeout ${ms} ms)`), {
    name: "ConnectTimeoutError",
    code: "UND_ERR_CONNECT_TIMEOUT"
  })

/**
 * GETs read from sockets of our own, with a pool of idle connections per origin. `get` resolves
 * with the head (status, lower-case headers) and the raw body; `close` closes every connection.
 */
export const socketDownloads = (net: typeof Net, tls: typeof Tls, options: SocketOptions) => {
  const pool = new Pool(Math.max(1, options.connections))
  const tlsOptions = {
    ...(options.ca === null ? {} : { ca: [...options.ca] }),
    rejectUnauthorized: options.rejectUnauthorized,
    ALPNProtocols: ["http/1.1"]
  }

  /** TLS sessions by server name (as undici's connector keeps them): a new connection resumes one. */
  const sessions = new Map<string, Buffer>()

  /** A new connection, as undici's connector makes them: TCP keep-alive, no Nagle, SNI unless an IP. */
  const open = (url: URL, key: string): Connection => {
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1")
    const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80)
    const conn = new Connection(pool, key, (onread) => {
      if (url.protocol !== "https:") return net.connect({ host, port, onread })
      const servername = net.isIP(host) === 0 ? host : undefined
      const sessionKey = servername ?? host
      const session = sessions.get(sessionKey)
      const socket = tls.connect({
        host,
        port,
        ...(servername === undefined ? {} : { servername }),
        ...(session === undefined ? {} : { session }),
        ...tlsOptions,
        onread
      } as Tls.ConnectionOptions)
      socket.on("session", (s: Buffer) => {
        if (sessions.size >= 100 && !sessions.has(sessionKey)) sessions.clear()
        sessions.set(sessionKey, s)
      })
      return socket
    })
    conn.socket.setKeepAlive(true, 60_000).setNoDelay(true)
    pool.all.add(conn)
    return conn
  }

  const get = (
    url: URL,
    path: string,
    headers: Readonly<Record<string, string>>,
    signal: Cancel,
    replay: Pick<WireRequest, "replayable" | "onResend"> = {}
  ): Promise<SocketResponse> =>
    new Promise<SocketResponse>((resolve, reject) => {
      const key = `${url.protocol}//${url.host}`
      let lines = `GET ${path} HTTP/1.1\r\nhost: ${url.host}\r\n`
      for (const name in headers) {
        const value = headers[name] as string
        if (/[\r\n\0]/.test(value) || !TOKEN.test(name)) {
          return reject(new NetworkFailure(`the request header ${name} holds a character not allowed there`))
        }
        lines += `${name}: ${value}\r\n`
      }
      const request = `${lines}\r\n`
      /** Once more, on a new connection; not after an abort or the pool's closing. */
      const again = (): boolean => {
        if (signal.aborted || pool.closed) return false
        replay.onResend?.()
        sendOn(url, key, request, signal, resolve, reject, null, null)
        return true
      }
      const send = (reused: Connection | null) => {
        if (!signal.aborted && !pool.closed) {
          return sendOn(url, key, request, signal, resolve, reject, reused, replay.replayable === true ? again : null)
        }
        // not sent: a connection taken for it goes back to the pool
        if (reused !== null && !pool.keep(reused)) reused.destroy()
        reject(signal.aborted ? signal.reason : new NetworkFailure("the transport was closed"))
      }
      if (signal.aborted) return reject(signal.reason)
      // A pooled connection the server closes as the request is written, before any byte of
      // the answer, gets the request once more on a new connection when it may be sent twice
      // (undici fails it: it sends again only requests pipelined behind it); any other loss
      // fails the request, and CometHttp's retry policy decides. One just released is used
      // once a close sent with its answer was seen.
      const reused = pool.take(key)
      if (reused === null) send(null)
      else reused.afterSettling(() => send(reused.alive ? reused : null))
    })

  /** Write the request on `reused`, else on a new connection; the exchange settles the promise. */
  const sendOn = (
    url: URL,
    key: string,
    request: string,
    signal: Cancel,
    resolve: (r: SocketResponse) => void,
    reject: (e: unknown) => void,
    reused: Connection | null,
    again: (() => boolean) | null
  ): void => {
    const conn = reused ?? open(url, key)
    const exchange = new Exchange(signal, resolve, reject, reused === null ? null : again)
    exchange.conn = conn
    signal.addEventListener("abort", exchange.onAbort, { once: true })
    conn.claim(exchange)
    if (reused !== null) {
      conn.socket.write(request, "latin1")
      return
    }
    const socket = conn.socket
    const timer = setTimeout(() => {
      const cause = connectTimeout(options.connectTimeoutMs)
      exchange.failWith(new NetworkFailure(cause.message, { cause }))
    }, options.connectTimeoutMs)
    socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () => {
      clearTimeout(timer)
      socket.write(request, "latin1")
    })
    socket.once("close", () => clearTimeout(timer))
  }

  return { get, close: () => pool.close() }
}
