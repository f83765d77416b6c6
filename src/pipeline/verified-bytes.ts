import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm, statfs } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { deadBytesRead } from '../kernel/dead-buffers.js'
import { StoreError, VerificationError } from '../kernel/errors.js'
import { formatBytes, type Logger } from '../kernel/log.js'
import type { PartRecord } from '../kernel/manifest.js'
import type { Store, StoredBackup } from '../store/store.js'

/** Set by a byte source before it stops on a stored file whose bytes are not the manifest's: recorded as damage, not thrown. */
export type Finding = { damage?: string }

/** Where a part's stored bytes come from, and where a source that must hold a stored file whole may put it. */
export interface StoredSource {
  store: Store
  backup: StoredBackup
  /** The runner directory a stored file lands in while it is checked (backups whose manifest has no block hashes). */
  runnerDir: string
  logger: Logger
  /** The pause before a broken stream is read again, growing with each break in a row (tests shorten it). */
  retryPauseMs?: number
}

/** One stored file of a part: a chunk, or the part's only file. */
type StoredPiece = { file: string; bytes: number; sha256: string; blocks?: string[] }

/**
 * The part's stored bytes, each piece checked against the signed manifest before it is yielded, and the
 * whole part's sha256 compared at the end. With block hashes in the manifest (every backup since they were
 * added) the stored files stream from the store and each block is checked in memory, nothing written on
 * the runner; an older backup's files are downloaded whole to the runner and checked first. A mismatch sets
 * `finding.damage` and stops the source.
 */
export async function* verifiedBytes(source: StoredSource, record: PartRecord, finding: Finding): AsyncGenerator<Buffer> {
  const damaged = (message: string): Error => {
    finding.damage = message
    return new VerificationError(message)
  }
  const pieces: StoredPiece[] = record.chunks ?? [{ file: record.file, bytes: record.bytes, sha256: record.sha256, blocks: record.blocks }]
  const whole = createHash('sha256')
  let wholeBytes = 0
  const checked = record.blockSize !== undefined ? blockCheckedPieces(source, pieces, record.blockSize, damaged) : wholeCheckedPieces(source, pieces, damaged)
  for await (const data of checked) {
    whole.update(data)
    wholeBytes += data.length
    yield data
  }
  const sha256 = whole.digest('hex')
  if (sha256 !== record.sha256 || wholeBytes !== record.bytes) {
    throw damaged(`${record.file}: expected ${record.bytes} bytes with sha256 ${record.sha256}, got ${wholeBytes} bytes with ${sha256}`)
  }
}

/**
 * Each stored file read as a stream from the store, its bytes gathered into blocks of `blockSize`, each
 * block's sha256 compared with the manifest's before any byte of it is yielded. The next block is read and
 * checked into a second buffer while this one goes on, so the store and the host both stay busy; the runner
 * holds those two blocks whatever the size of the backup.
 */
async function* blockCheckedPieces(source: StoredSource, pieces: StoredPiece[], blockSize: number, damaged: (message: string) => Error): AsyncGenerator<Buffer> {
  const reader = new CheckedBlockReader(source, pieces, blockSize, damaged)
  const blocks = reader.blocks()
  let next = blocks.next()
  next.catch(() => undefined)
  try {
    for (;;) {
      const block = await next
      if (block.done) return
      next = blocks.next()
      // Seen when it is awaited; until then a rejection must not count as unhandled.
      next.catch(() => undefined)
      yield* copiesOf(block.value)
    }
  } finally {
    // Stopped early (damage, or the host failed): the read in flight ends now instead of running on.
    reader.stop()
    await next.catch(() => undefined)
    await blocks.return(undefined)
  }
}

/**
 * How often a stored file's stream may break without a block checked in between before the restore gives
 * up: each time it is read again from the first block not yet checked, after a pause that grows.
 */
const READ_ATTEMPTS = 4
const RETRY_PAUSE_MS = 2000

/**
 * Reads the blocks of a part's stored files in order, into two buffers in turn (a block handed out stays
 * untouched while the next one is read), hashing each as its bytes arrive. A stream that breaks is opened
 * again at the first block not yet checked (a download address expires, a connection drops), so a long
 * restore does not start over; a file longer or shorter than the manifest says is damage.
 */
class CheckedBlockReader {
  private readonly buffers: Buffer[]
  private handedOut = 0
  private stream: Readable | undefined
  private readonly stopping = new AbortController()

  constructor(
    private readonly source: StoredSource,
    private readonly pieces: StoredPiece[],
    private readonly blockSize: number,
    private readonly damaged: (message: string) => Error
  ) {
    const largest = Math.max(1, Math.min(blockSize, Math.max(...pieces.map(piece => piece.bytes))))
    this.buffers = [Buffer.allocUnsafeSlow(largest), Buffer.allocUnsafeSlow(largest)]
  }

  /** Ends the stream in flight: a read waiting on it fails, and nothing is read again. */
  stop(): void {
    this.stopping.abort()
    this.stream?.destroy()
  }

  async *blocks(): AsyncGenerator<Buffer> {
    for (const piece of this.pieces) yield* this.blocksOf(piece)
  }

  private async *blocksOf(piece: StoredPiece): AsyncGenerator<Buffer> {
    const { source, blockSize, damaged } = this
    const expected = piece.blocks ?? []
    let index = 0
    let failures = 0
    for (let ended = false; !ended;) {
      const stream = await source.store.read(source.backup, piece.file, index * blockSize)
      this.stream = stream
      if (this.stopping.signal.aborted) stream.destroy()
      const reader = new StreamReader(stream)
      try {
        for (; index < expected.length; index += 1) {
          const start = index * blockSize
          const length = Math.min(blockSize, piece.bytes - start)
          const block = this.buffers[this.handedOut % 2]
          const hash = createHash('sha256')
          const filled = await reader.fill(block, length, hash)
          if (filled < length) throw damaged(`${piece.file}: expected ${piece.bytes} bytes, the store holds ${start + filled}`)
          const sha256 = hash.digest('hex')
          if (sha256 !== expected[index])
            throw damaged(`${piece.file}: block ${index + 1} of ${expected.length} (bytes ${start} to ${start + length - 1}) has sha256 ${sha256}, the manifest says ${expected[index]}`)
          failures = 0
          this.handedOut += 1
          yield block.subarray(0, length)
        }
        if ((await reader.fill(this.buffers[this.handedOut % 2], 1)) > 0) throw damaged(`${piece.file}: the store holds more than the ${piece.bytes} bytes the manifest says`)
        ended = true
      } catch (error) {
        if (error instanceof VerificationError || error instanceof StoreError || this.stopping.signal.aborted) throw error
        failures += 1
        const at = index * blockSize
        if (failures >= READ_ATTEMPTS) {
          const message = `Reading ${piece.file} from the store broke off ${failures} times at byte ${at}: ${(error as Error).message}`
          throw new StoreError(message, 'check the connection to the store, then run the restore again.', { cause: error })
        }
        source.logger.warning(`Reading ${piece.file} from the store broke off at byte ${at} (${(error as Error).message}); reading it again from there.`)
        await sleep((source.retryPauseMs ?? RETRY_PAUSE_MS) * failures, undefined, { signal: this.stopping.signal })
      } finally {
        stream.destroy()
        this.stream = undefined
      }
    }
  }
}

/** A checked block goes on in pieces of their own, so its buffer is free again as soon as it is copied out. */
function* copiesOf(block: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < block.length; offset += STREAM_READ_BYTES) {
    const piece = Buffer.from(block.subarray(offset, Math.min(block.length, offset + STREAM_READ_BYTES)))
    deadBytesRead(piece.length)
    yield piece
  }
}

/** Reads a stream into blocks: what a read brings beyond the block it fills is kept for the next one. */
class StreamReader {
  private readonly pieces: AsyncIterator<Buffer>
  private leftover: Buffer | undefined

  constructor(stream: Readable) {
    this.pieces = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  }

  /** Fills `block` with up to `length` bytes, hashing them into `hash`; answers how many came (fewer only at the stream's end). */
  async fill(block: Buffer, length: number, hash?: Hash): Promise<number> {
    let filled = 0
    while (filled < length) {
      let data = this.leftover
      this.leftover = undefined
      if (!data) {
        const next = await this.pieces.next()
        if (next.done) return filled
        data = next.value
        deadBytesRead(data.length)
      }
      const taken = Math.min(data.length, length - filled)
      data.copy(block, filled, 0, taken)
      hash?.update(taken < data.length ? data.subarray(0, taken) : data)
      filled += taken
      if (taken < data.length) this.leftover = data.subarray(taken)
    }
    return filled
  }
}

/**
 * A backup without block hashes: each stored file is downloaded whole to the runner and read once to
 * compare its size and sha256 with the manifest, then read again to stream on, and deleted. The next one is
 * fetched and checked while this one streams, when the runner has room for both, so the host never waits
 * for a download.
 */
async function* wholeCheckedPieces(source: StoredSource, pieces: StoredPiece[], damaged: (message: string) => Error): AsyncGenerator<Buffer> {
  const { store, backup, runnerDir } = source
  // One for every check of the part: they run one after another (the next file's while this one streams).
  const checkBuffer = Buffer.allocUnsafeSlow(CHECK_READ_BYTES)
  const fetchChecked = async (piece: StoredPiece): Promise<string> => {
    const fetched = await store.fetch(backup, piece.file, runnerDir)
    try {
      const { sha256, bytes } = await hashFile(fetched, checkBuffer)
      if (sha256 !== piece.sha256 || bytes !== piece.bytes) throw damaged(`${piece.file}: expected ${piece.bytes} bytes with sha256 ${piece.sha256}, got ${bytes} bytes with ${sha256}`)
      return fetched
    } catch (error) {
      await rm(fetched, { force: true })
      throw error
    }
  }
  let ahead: Promise<string> | undefined
  try {
    for (const [index, piece] of pieces.entries()) {
      const current = ahead ?? ensureRoom(runnerDir, piece.bytes).then(() => fetchChecked(piece))
      ahead = undefined
      const fetched = await current
      try {
        const next = pieces[index + 1]
        if (next && (await freeBytes(runnerDir)) >= next.bytes) {
          ahead = fetchChecked(next)
          // Seen when it is awaited; until then a rejection must not count as unhandled.
          ahead.catch(() => undefined)
        }
        for await (const data of createReadStream(fetched, { highWaterMark: STREAM_READ_BYTES }) as AsyncIterable<Buffer>) {
          deadBytesRead(data.length)
          yield data
        }
      } finally {
        await rm(fetched, { force: true })
      }
    }
  } finally {
    // A stream stopped early leaves the file fetched ahead: it goes too.
    if (ahead) await ahead.then(path => rm(path, { force: true })).catch(() => undefined)
  }
}

/**
 * Every buffer read is garbage once it is consumed, and V8 frees such buffers only at its next GC, which
 * comes after a number of reads more than after a number of bytes: the dead buffers, not the data, set the
 * runner's peak RSS. So the two block buffers and the whole-file check's buffer are reused for a whole part,
 * and what streams on goes in 64 KiB pieces, each counted by deadBytesRead, which collects them every 8 MiB.
 * 16 KiB pieces cost the runner's node more CPU (a SeaTable restore 15.7 CPU s against 9.3) for no less
 * memory (SeaTable's restore at 4 × the data, two runs each: 103 and 119 MB against 97 and 105 MB at 1 ×
 * with 16 KiB, 108 and 123 MB against 103 and 103 MB with 64 KiB).
 */
const CHECK_READ_BYTES = 1024 * 1024
const STREAM_READ_BYTES = 64 * 1024

async function hashFile(path: string, buffer: Buffer): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  const file = await open(path, 'r')
  try {
    let bytes = 0
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) return { sha256: hash.digest('hex'), bytes }
      hash.update(buffer.subarray(0, bytesRead))
      bytes += bytesRead
    }
  } finally {
    await file.close()
  }
}

async function freeBytes(dir: string): Promise<number> {
  const space = await statfs(dir)
  return space.bavail * space.bsize
}

/**
 * Refuses a download that cannot fit before it starts, rather than after it has moved most of the bytes and
 * left a partial file; a size known from the signed manifest makes the check exact. The error reads as
 * ENOSPC, so it is reported like one.
 */
async function ensureRoom(dir: string, bytes: number): Promise<void> {
  const free = await freeBytes(dir)
  if (free < bytes) {
    throw Object.assign(new Error(`ENOSPC: ${formatBytes(bytes)} to download, ${formatBytes(free)} free in ${dir}`), { code: 'ENOSPC' })
  }
}
