/**
 * Asset bytes: text, base64, JSON, seeded pseudo-random bytes of any size (streamed in fixed
 * chunks, so a 1 GB asset is never held in memory) and PNG images rendered from a seed. Also a
 * store-only zip writer for model downloads and git patches. Pure TypeScript, deterministic.
 *
 * @internal
 */
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { AssetContent } from "../Dataset.js"
import { hashInts } from "./rng.js"

const encoder = new TextEncoder()

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

/** CRC-32 (as used by PNG and zip). */
export const crc32 = (bytes: Uint8Array, start = 0, end = bytes.length, init = 0): number => {
  let c = (init ^ 0xffffffff) >>> 0
  for (let i = start; i < end; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const adler32 = (bytes: Uint8Array): number => {
  let a = 1
  let b = 0
  for (let i = 0; i < bytes.length; i++) {
    a = (a + (bytes[i] as number)) % 65521
    b = (b + a) % 65521
  }
  return ((b << 16) | a) >>> 0
}

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

const u32be = (v: number): Uint8Array => new Uint8Array([(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255])

/** A zlib stream of stored (uncompressed) deflate blocks. */
const zlibStored = (raw: Uint8Array): Uint8Array => {
  const parts: Array<Uint8Array> = [new Uint8Array([0x78, 0x01])]
  const max = 65535
  for (let off = 0; off < raw.length || off === 0; off += max) {
    const len = Math.min(max, raw.length - off)
    const last = off + len >= raw.length ? 1 : 0
    parts.push(new Uint8Array([last, len & 255, len >>> 8, ~len & 255, (~len >>> 8) & 255]))
    parts.push(raw.subarray(off, off + len))
    if (raw.length === 0) break
  }
  parts.push(u32be(adler32(raw)))
  return concat(parts)
}

const pngChunk = (type: string, data: Uint8Array): Uint8Array => {
  const head = concat([u32be(data.length), encoder.encode(type)])
  const body = concat([head.subarray(4), data])
  return concat([head, data, u32be(crc32(body))])
}

/**
 * A real RGB PNG image rendered from a seed: a diagonal colour gradient with a few discs, like
 * a thumbnail of a sample or a feature map.
 */
export const renderPng = (width: number, height: number, seed: number): Uint8Array => {
  const row = 1 + width * 3
  const raw = new Uint8Array(row * height)
  const h = (k: number) => hashInts(seed, k)
  const c1 = [h(1) & 255, h(2) & 255, h(3) & 255] as const
  const c2 = [h(4) & 255, h(5) & 255, h(6) & 255] as const
  const discs = Array.from({ length: 3 }, (_, d) => ({
    x: (h(10 + d) % 1000) / 1000,
    y: (h(20 + d) % 1000) / 1000,
    r: 0.08 + ((h(30 + d) % 1000) / 1000) * 0.2,
    c: [h(40 + d) & 255, h(50 + d) & 255, h(60 + d) & 255] as const
  }))
  for (let y = 0; y < height; y++) {
    raw[y * row] = 0
    for (let x = 0; x < width; x++) {
      const t = (x / Math.max(1, width - 1) + y / Math.max(1, height - 1)) / 2
      let r = c1[0] + (c2[0] - c1[0]) * t
      let g = c1[1] + (c2[1] - c1[1]) * t
      let b = c1[2] + (c2[2] - c1[2]) * t
      for (const d of discs) {
        const dx = x / width - d.x
        const dy = y / height - d.y
        if (dx * dx + dy * dy < d.r * d.r) {
          r = d.c[0]
          g = d.c[1]
          b = d.c[2]
        }
      }
      const o = y * row + 1 + x * 3
      raw[o] = r
      raw[o + 1] = g
      raw[o + 2] = b
    }
  }
  const ihdr = new Uint8Array(13)
  ihdr.set(u32be(width), 0)
  ihdr.set(u32be(height), 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // colour type: RGB
  return concat([
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", zlibStored(raw)),
    pngChunk("IEND", new Uint8Array(0))
  ])
}

/** A file for {@link zipStore}. */
export interface ZipEntry {
  readonly name: string
  readonly bytes: Uint8Array
}

/**
 * The fields a local file header and its central-directory entry share, from "version needed to
 * extract" to "file name length": version 2.0, UTF-8 names, stored, 1980-01-01 00:00, the CRC-32
 * and the size (stored: compressed and uncompressed alike).
 */
const entryFields = (view: DataView, at: number, crc: number, size: number, nameLength: number): void => {
  view.setUint16(at, 20, true)
  view.setUint16(at + 2, 0x0800, true)
  view.setUint16(at + 4, 0, true)
  view.setUint16(at + 6, 0, true)
  view.setUint16(at + 8, 0x21, true)
  view.setUint32(at + 10, crc, true)
  view.setUint32(at + 14, size, true)
  view.setUint32(at + 18, size, true)
  view.setUint16(at + 22, nameLength, true)
}

/** A zip archive whose entries are stored uncompressed (fixed 1980-01-01 timestamps). */
export const zipStore = (entries: ReadonlyArray<ZipEntry>): Uint8Array => {
  const locals: Array<Uint8Array> = []
  const centrals: Array<Uint8Array> = []
  let offset = 0
  for (const e of entries) {
    const name = encoder.encode(e.name)
    const crc = crc32(e.bytes)
    const local = new DataView(new ArrayBuffer(30))
    local.setUint32(0, 0x04034b50, true)
    entryFields(local, 4, crc, e.bytes.length, name.length)
    local.setUint16(28, 0, true)
    const localBytes = concat([new Uint8Array(local.buffer), name, e.bytes])
    const central = new DataView(new ArrayBuffer(46))
    central.setUint32(0, 0x02014b50, true)
    central.setUint16(4, 20, true)
    entryFields(central, 6, crc, e.bytes.length, name.length)
    central.setUint32(42, offset, true)
    centrals.push(concat([new Uint8Array(central.buffer), name]))
    locals.push(localBytes)
    offset += localBytes.length
  }
  const centralBytes = concat(centrals)
  const end = new DataView(new ArrayBuffer(22))
  end.setUint32(0, 0x06054b50, true)
  end.setUint16(8, entries.length, true)
  end.setUint16(10, entries.length, true)
  end.setUint32(12, centralBytes.length, true)
  end.setUint32(16, offset, true)
  return concat([...locals, centralBytes, new Uint8Array(end.buffer)])
}

/** Bytes of synthetic content are produced in chunks of this size (fixed: part of the format). */
export const SYNTHETIC_CHUNK = 64 * 1024

/** The xorshift32 state chunk `index` of a synthetic asset starts from. */
const chunkSeed = (seed: number, index: number): number => (hashInts(seed, index, 0x5a5a) || 0x9e3779b9) | 0

/** Fill `words` from `offset` with chunk `index`'s xorshift32 words (`count` of them). */
const fillChunk = (words: Int32Array, offset: number, count: number, seed: number, index: number): void => {
  let x = chunkSeed(seed, index)
  for (let i = offset, end = offset + count; i < end; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x
  }
}

/** 32-bit words in a chunk. */
const CHUNK_WORDS = SYNTHETIC_CHUNK / 4

/**
 * Fill four whole chunks `index` … `index + 3` from word `offset` at once: the same words as
 * {@link fillChunk} four times, but four independent xorshift chains in one loop run about 1.5×
 * faster (each chain is a serial dependency; the CPU overlaps the four).
 */
const fillFourChunks = (words: Int32Array, offset: number, seed: number, index: number): void => {
  let a = chunkSeed(seed, index)
  let b = chunkSeed(seed, index + 1)
  let c = chunkSeed(seed, index + 2)
  let d = chunkSeed(seed, index + 3)
  for (let i = offset, end = offset + CHUNK_WORDS; i < end; i++) {
    a ^= a << 13
    b ^= b << 13
    c ^= c << 13
    d ^= d << 13
    a ^= a >>> 17
    b ^= b >>> 17
    c ^= c >>> 17
    d ^= d >>> 17
    a ^= a << 5
    b ^= b << 5
    c ^= c << 5
    d ^= d << 5
    words[i] = a
    words[i + CHUNK_WORDS] = b
    words[i + 2 * CHUNK_WORDS] = c
    words[i + 3 * CHUNK_WORDS] = d
  }
}

/** Chunk `index` of a synthetic asset (xorshift32 seeded per chunk, so any chunk is computable on its own). */
export const syntheticChunk = (seed: number, size: number, index: number): Uint8Array => {
  const start = index * SYNTHETIC_CHUNK
  const len = Math.max(0, Math.min(SYNTHETIC_CHUNK, size - start))
  const words = new Int32Array(Math.ceil(len / 4))
  fillChunk(words, 0, words.length, seed, index)
  return new Uint8Array(words.buffer, 0, len)
}

/**
 * Synthetic chunks are sent this many at a time (1 MiB): one write and one wait for the socket per
 * MiB rather than per 64 KiB, so that a large download is bound by the client, not by the server.
 */
export const CHUNKS_PER_WRITE = 16

/**
 * Chunks `first` up to `first + CHUNKS_PER_WRITE` (fewer at the end) as one buffer: the bytes of
 * those chunks, in a buffer left uninitialised before it is filled (no zero-filling 1 MiB first).
 */
export const syntheticRun = (seed: number, size: number, first: number): Uint8Array => {
  const start = first * SYNTHETIC_CHUNK
  const len = Math.max(0, Math.min(SYNTHETIC_CHUNK * CHUNKS_PER_WRITE, size - start))
  const wordCount = Math.ceil(len / 4)
  const bytes = Buffer.allocUnsafeSlow(wordCount * 4)
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, wordCount)
  let k = 0
  for (; (k + 4) * CHUNK_WORDS <= wordCount; k += 4) fillFourChunks(words, k * CHUNK_WORDS, seed, first + k)
  for (; k * CHUNK_WORDS < wordCount; k++)
    fillChunk(words, k * CHUNK_WORDS, Math.min(CHUNK_WORDS, wordCount - k * CHUNK_WORDS), seed, first + k)
  return new Uint8Array(words.buffer, words.byteOffset, len)
}

const base64Decode = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "base64"))

/** Bytes of content that is small enough to hold in memory (everything but large synthetic content). */
export const contentBytes = (content: AssetContent): Uint8Array => {
  if ("text" in content) return encoder.encode(content.text)
  if ("base64" in content) return base64Decode(content.base64)
  if ("json" in content) return encoder.encode(JSON.stringify(content.json))
  if ("png" in content) return renderPng(content.png.width, content.png.height, content.png.seed)
  const { seed, size } = content.synthetic
  const chunks: Array<Uint8Array> = []
  for (let i = 0; i * SYNTHETIC_CHUNK < size; i++) chunks.push(syntheticChunk(seed, size, i))
  return concat(chunks)
}

/** The byte size of content. */
export const contentSize = (content: AssetContent): number => {
  if ("synthetic" in content) return content.synthetic.size
  if ("text" in content) return encoder.encode(content.text).length
  if ("base64" in content) return Buffer.from(content.base64, "base64").length
  return contentBytes(content).length
}

/** Content as a stream of chunks; synthetic content is generated chunk by chunk as it is read. */
export const contentStream = (content: AssetContent): Stream.Stream<Uint8Array> => {
  if (!("synthetic" in content)) return Stream.succeed(contentBytes(content))
  const { seed, size } = content.synthetic
  const chunks = Math.ceil(size / SYNTHETIC_CHUNK)
  return Stream.unfold(0, (i) =>
    i < chunks ? Option.some([syntheticRun(seed, size, i), i + CHUNKS_PER_WRITE] as const) : Option.none()
  )
}

/** Above this size content is streamed rather than sent as one buffer. */
export const STREAM_THRESHOLD = 4 * 1024 * 1024
