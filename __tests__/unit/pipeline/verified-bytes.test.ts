/**
 * The restore's byte source (verified-bytes.ts) against a real local directory store: every block of a
 * stored file checked against the manifest before a byte of it goes on, a broken stream read again from
 * the first block not yet checked, and a backup without block hashes still checked whole on the runner.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { BlockHasher } from '../../../src/kernel/block-hashes.js'
import { StoreError, VerificationError } from '../../../src/kernel/errors.js'
import { chunkFileName, type PartRecord } from '../../../src/kernel/manifest.js'
import { LocalDirectoryStore } from '../../../src/store/local-dir.js'
import type { StoredBackup } from '../../../src/store/store.js'
import { verifiedBytes, type Finding, type StoredSource } from '../../../src/pipeline/verified-bytes.js'
import { recordingLogger } from '../../support/transport-probes.js'

const BLOCK = 40_000
const backupId = 'tabby--host--20261201T020000Z-test'
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

let work: string
let backupDir: string
let runnerDir: string
let content: Buffer
let record: PartRecord
const backup = (): StoredBackup => ({ backupId, app: 'tabby', hostId: 'host', createdAt: new Date().toISOString(), location: { dir: backupDir } })

/** A part of 350,000 bytes in chunks of 150,000 (the last 50,000), hashed in blocks of 40,000 that do not line up with the store's 64 KiB reads. */
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'verified-bytes-'))
  backupDir = join(work, backupId)
  runnerDir = join(work, 'runner')
  await Promise.all([mkdir(backupDir), mkdir(runnerDir)])
  content = randomBytes(350_000)
  const file = `${backupId}.home.tar.zst`
  const chunks = []
  for (let index = 0; index * 150_000 < content.length; index += 1) {
    const bytes = content.subarray(index * 150_000, (index + 1) * 150_000)
    const blocks = new BlockHasher(BLOCK)
    blocks.update(bytes)
    chunks.push({ file: chunkFileName(file, index), bytes: bytes.length, sha256: sha256(bytes), blocks: blocks.digest() })
    await writeFile(join(backupDir, chunkFileName(file, index)), bytes)
  }
  record = { name: 'home', file, kind: 'tar', compression: 'zstd', bytes: content.length, sha256: sha256(content), durationMs: 1, blockSize: BLOCK, chunks }
})
afterEach(async () => {
  await rm(work, { recursive: true, force: true })
})

/** Everything the source yields before it stops, and how it stopped. */
async function drain(source: StoredSource, part: PartRecord): Promise<{ bytes: Buffer; error?: unknown; finding: Finding }> {
  const finding: Finding = {}
  const pieces: Buffer[] = []
  try {
    for await (const piece of verifiedBytes(source, part, finding)) pieces.push(piece)
    return { bytes: Buffer.concat(pieces), finding }
  } catch (error) {
    return { bytes: Buffer.concat(pieces), error, finding }
  }
}

function sourceOf(store: LocalDirectoryStore, logger = recordingLogger()): StoredSource {
  return { store, backup: backup(), runnerDir, logger, retryPauseMs: 10 }
}

/** Reads from the store, each read recorded, its first `breaks` streams of each file failing after `after` bytes. */
class BreakingStore extends LocalDirectoryStore {
  readonly reads: { file: string; offset: number }[] = []
  private readonly broken = new Map<string, number>()

  constructor(
    private readonly breaks: number,
    private readonly after: number
  ) {
    super(join(work, 'unused'))
  }

  override async read(stored: StoredBackup, file: string, offset: number): Promise<Readable> {
    this.reads.push({ file, offset })
    const stream = await super.read(stored, file, offset)
    const count = this.broken.get(file) ?? 0
    if (count >= this.breaks) return stream
    this.broken.set(file, count + 1)
    const after = this.after
    return Readable.from(
      (async function* () {
        let sent = 0
        for await (const data of stream as AsyncIterable<Buffer>) {
          if (sent + data.length > after) {
            yield data.subarray(0, after - sent)
            stream.destroy()
            throw new Error('connection reset by the test')
          }
          sent += data.length
          yield data
        }
      })()
    )
  }
}

it('streams a chunked part with block hashes byte for byte, reading each chunk once and writing nothing on the runner', async () => {
  const store = new BreakingStore(0, 0)
  const { bytes, error } = await drain(sourceOf(store), record)
  expect(error).toBeUndefined()
  expect(sha256(bytes)).toBe(sha256(content))
  expect(store.reads).toEqual(record.chunks?.map(chunk => ({ file: chunk.file, offset: 0 })))
  expect(readdirSync(runnerDir)).toEqual([])
})

it('refuses a changed byte before any of its block goes on: everything before that block, nothing after', async () => {
  const damaged = Buffer.from(content.subarray(150_000, 300_000))
  damaged[85_000] ^= 0x01 // chunk 2, block 3 (bytes 80,000 to 119,999 of the chunk)
  await writeFile(join(backupDir, chunkFileName(record.file, 1)), damaged)
  const { bytes, error, finding } = await drain(sourceOf(new BreakingStore(0, 0)), record)
  expect(error).toBeInstanceOf(VerificationError)
  expect(finding.damage).toMatch(/chunk-0002: block 3 of 4 \(bytes 80000 to 119999\) has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}$/)
  expect(bytes.equals(content.subarray(0, 150_000 + 80_000))).toBe(true)
})

it.each([
  ['shorter', (bytes: Buffer) => bytes.subarray(0, 120_000), /chunk-0002: expected 150000 bytes, the store holds 120000$/],
  ['longer', (bytes: Buffer) => Buffer.concat([bytes, Buffer.from('x')]), /chunk-0002: the store holds more than the 150000 bytes the manifest says$/]
])('refuses a stored chunk %s than the manifest says', async (_what, change, message) => {
  await writeFile(join(backupDir, chunkFileName(record.file, 1)), change(content.subarray(150_000, 300_000)))
  const { error, finding } = await drain(sourceOf(new BreakingStore(0, 0)), record)
  expect(error).toBeInstanceOf(VerificationError)
  expect(finding.damage).toMatch(message)
})

it('reads a broken stream again from the first block not yet checked, and says so', async () => {
  const store = new BreakingStore(1, 100_000)
  const logger = recordingLogger()
  const { bytes, error } = await drain(sourceOf(store, logger), record)
  expect(error).toBeUndefined()
  expect(sha256(bytes)).toBe(sha256(content))
  // Each stream broke after 100,000 bytes: blocks 1 and 2 (80,000 bytes) were checked, block 3 is read again.
  const [first, second] = record.chunks ?? []
  expect(store.reads.slice(0, 4)).toEqual([
    { file: first.file, offset: 0 },
    { file: first.file, offset: 80_000 },
    { file: second.file, offset: 0 },
    { file: second.file, offset: 80_000 }
  ])
  expect(logger.lines.join('\n')).toMatch(/warning: Reading .*chunk-0001 from the store broke off at byte 80000 \(connection reset by the test\); reading it again from there/)
})

it('gives up with a StoreError when a stream keeps breaking with no block checked in between', async () => {
  const store = new BreakingStore(100, 10_000)
  const { error, finding } = await drain(sourceOf(store), record)
  expect(error).toBeInstanceOf(StoreError)
  expect((error as Error).message).toMatch(/Reading .*chunk-0001 from the store broke off 4 times at byte 0: connection reset by the test/)
  expect(finding.damage).toBeUndefined()
  expect(store.reads).toHaveLength(4)
})

it('reads the next block while this one goes on, and a consumer that stops ends the read in flight at once', async () => {
  // The second chunk's stream never sends a byte: only the read ahead ever waits on it.
  const hanging = new PassThrough()
  const store = new (class extends BreakingStore {
    override async read(stored: StoredBackup, file: string, offset: number): Promise<Readable> {
      return file === record.chunks?.[1].file ? (this.reads.push({ file, offset }), hanging) : super.read(stored, file, offset)
    }
  })(0, 0)
  const source = verifiedBytes(sourceOf(store), record, {})
  let received = 0
  for await (const piece of source) {
    received += piece.length
    // A slow consumer of the first chunk's last block: meanwhile the read ahead waits on the second chunk.
    if (received >= 130_000) {
      await new Promise(resolve => setTimeout(resolve, 100))
      break
    }
  }
  expect(store.reads.map(read => read.file)).toEqual(record.chunks?.slice(0, 2).map(chunk => chunk.file))
  expect(hanging.destroyed).toBe(true)
})

/** Records, for each stored part file it downloads, how many were already on the runner. */
class WatchedStore extends LocalDirectoryStore {
  readonly onRunnerAtFetch: number[] = []

  override async fetch(...args: Parameters<LocalDirectoryStore['fetch']>): Promise<string> {
    this.onRunnerAtFetch.push(readdirSync(args[2]).length)
    return super.fetch(...args)
  }
}

it('checks a backup made before block hashes chunk by chunk on the runner, fetching the next while one streams, and leaves nothing there', async () => {
  const store = new WatchedStore(join(work, 'unused'))
  const old = { ...record, blockSize: undefined, chunks: record.chunks?.map(({ blocks: _blocks, ...chunk }) => chunk) }
  const { bytes, error } = await drain(sourceOf(store), old)
  expect(error).toBeUndefined()
  expect(sha256(bytes)).toBe(sha256(content))
  // Every chunk after the first was fetched while the one before it was still on the runner, never more.
  expect(store.onRunnerAtFetch).toEqual([0, 1, 1])
  expect(readdirSync(runnerDir)).toEqual([])
})
