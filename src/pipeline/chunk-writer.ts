import { createHash, type Hash } from 'node:crypto'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { BlockHasher } from '../kernel/block-hashes.js'
import { BLOCK_SIZE, chunkFileName, type ChunkRecord, type PartRecord } from '../kernel/manifest.js'

/**
 * Hands a finished file to the store. Settles once the store has it or gave up; never rejects (a store
 * failure surfaces from the store session itself, on the next hand-over or at commit).
 */
export type HandOver = (file: string) => Promise<void>

/** chunk-size's default: big enough that chunks stay few (each is an artifact), small enough for any runner's disk. */
export const DEFAULT_CHUNK_SIZE = 256 * 1024 ** 2
export const CHUNK_SIZE_RANGE = { min: 1024 ** 2, max: 16 * 1024 ** 3 }

/** How many sealed chunks of one part may wait on the runner for the store while the next one is written. */
export const CHUNKS_WAITING_PER_PART = 1

interface OpenChunk {
  handle: FileHandle
  temp: string
  hash: Hash
  blocks: BlockHasher
  bytes: number
}

/**
 * Writes a part's stored bytes into files of at most `chunkSize` bytes in `dir`, hashes each, hands each
 * to the store as soon as it is complete and deletes it once stored: the runner holds at most
 * CHUNKS_WAITING_PER_PART sealed chunks plus the one being written, whatever the part's size. A part that
 * fits in one chunk is stored under its own name `file`, with no chunk list. Without `handOver` (no
 * store: a test or a tool that keeps the files) nothing is cut or deleted.
 */
export class ChunkedFileWriter extends Writable {
  /** The chunks, in order, once the writer finished; empty when the part was stored as one file. */
  readonly chunks: ChunkRecord[] = []
  /** The block hashes of the part's one file, when it was stored as one file. */
  private onlyFileBlocks: string[] | undefined
  /** Bytes written so far, for error messages. */
  written = 0
  private current: OpenChunk | undefined
  private readonly waiting: Promise<void>[] = []
  private sealedCount = 0
  private readonly chunkSize: number
  /** The write or final in progress, which destroy waits for. */
  private busy: Promise<void> = Promise.resolve()

  /**
   * `storeOwnsDir`: `dir` is the store's own directory (StoreSession.writeDirectory), so a handed-over
   * file stays where it is; otherwise it is deleted once stored.
   */
  constructor(
    private readonly dir: string,
    private readonly file: string,
    chunkSize: number,
    private readonly handOver?: HandOver,
    private readonly storeOwnsDir = false
  ) {
    super()
    this.chunkSize = handOver ? chunkSize : Number.POSITIVE_INFINITY
  }

  /** What the part's record says about how it was stored, once the writer finished: its chunks, its blocks. */
  describe(): Pick<PartRecord, 'chunks' | 'blockSize' | 'blocks'> {
    if (this.chunks.length > 0) return { chunks: this.chunks, blockSize: BLOCK_SIZE }
    return this.onlyFileBlocks ? { blockSize: BLOCK_SIZE, blocks: this.onlyFileBlocks } : {}
  }

  override _write(data: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.busy = this.append(data)
    this.busy.then(() => done(), done)
  }

  override _final(done: (error?: Error | null) => void): void {
    this.busy = this.finish()
    this.busy.then(() => done(), done)
  }

  /** A failed producer destroys the writer, possibly mid-write: the unfinished chunk goes once that write has settled. */
  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.busy
      .catch(() => undefined)
      .then(async () => {
        const current = this.current
        this.current = undefined
        if (current) {
          await current.handle.close().catch(() => undefined)
          await rm(current.temp, { force: true })
        }
      })
      .then(
        () => done(error),
        () => done(error)
      )
  }

  private async append(data: Buffer): Promise<void> {
    for (let offset = 0; offset < data.length && !this.destroyed;) {
      // A full chunk is sealed only when more bytes come: then it is known not to be the only one.
      if (this.current && this.current.bytes >= this.chunkSize) await this.seal(false)
      const chunk = this.current ?? (await this.openChunk())
      const piece = data.subarray(offset, offset + Math.min(data.length - offset, this.chunkSize - chunk.bytes))
      await chunk.handle.write(piece)
      chunk.hash.update(piece)
      chunk.blocks.update(piece)
      chunk.bytes += piece.length
      this.written += piece.length
      offset += piece.length
    }
  }

  private async finish(): Promise<void> {
    // An empty part is still one (empty) file.
    if (!this.current && this.sealedCount === 0) await this.openChunk()
    // The last chunks upload while the next part streams; the store session's commit waits for them.
    if (this.current) await this.seal(true)
  }

  private async openChunk(): Promise<OpenChunk> {
    // Bounded disk: wait for the store to take the oldest sealed chunk before writing a new one.
    while (this.waiting.length > CHUNKS_WAITING_PER_PART) await this.waiting.shift()
    const temp = join(this.dir, `${this.file}.writing`)
    const handle = await open(temp, 'wx', 0o600)
    this.current = { handle, temp, hash: createHash('sha256'), blocks: new BlockHasher(BLOCK_SIZE), bytes: 0 }
    return this.current
  }

  private async seal(last: boolean): Promise<void> {
    const chunk = this.current as OpenChunk
    this.current = undefined
    await chunk.handle.close()
    const only = last && this.sealedCount === 0
    const name = only ? this.file : chunkFileName(this.file, this.sealedCount)
    this.sealedCount += 1
    await rename(chunk.temp, join(this.dir, name))
    if (only) this.onlyFileBlocks = chunk.blocks.digest()
    else this.chunks.push({ file: name, bytes: chunk.bytes, sha256: chunk.hash.digest('hex'), blocks: chunk.blocks.digest() })
    if (!this.handOver) return
    const handed = this.handOver(name)
    // A file that cannot be deleted here is removed with the staging directory at the end.
    this.waiting.push(this.storeOwnsDir ? handed : handed.then(() => rm(join(this.dir, name), { force: true })).catch(() => undefined))
  }
}
