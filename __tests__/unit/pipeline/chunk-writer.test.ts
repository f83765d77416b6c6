/**
 * The chunk writer (issue 12): a part's stored bytes cut into chunk-size files, each handed to the store
 * when complete and deleted once stored, with no more than two chunk files of a part on the runner at
 * any moment; a part that fits in one chunk keeps its own name.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ChunkedFileWriter, type HandOver } from '../../../src/pipeline/chunk-writer.js'

const KIB = 1024
let dir: string
let storeDir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-chunks-'))
  storeDir = await mkdtemp(join(tmpdir(), 'sb-chunks-store-'))
})

afterEach(async () => {
  for (const path of [dir, storeDir]) await rm(path, { recursive: true, force: true })
})

/** A store that takes `delayMs` per file, copying it away, and records how many files the runner held meanwhile. */
function slowStore(delayMs: number): { handOver: HandOver; handed: string[]; stored: string[]; mostFilesOnRunner: () => number } {
  const handed: string[] = []
  const stored: string[] = []
  let most = 0
  return {
    handed,
    stored,
    mostFilesOnRunner: () => most,
    handOver: async file => {
      handed.push(file)
      most = Math.max(most, readdirSync(dir).length)
      await new Promise(resolve => setTimeout(resolve, delayMs))
      most = Math.max(most, readdirSync(dir).length)
      await copyFile(join(dir, file), join(storeDir, file))
      stored.push(file)
    }
  }
}

/** Writes `content` in uneven pieces, as a producer's stream would arrive. */
async function write(writer: ChunkedFileWriter, content: Buffer): Promise<void> {
  const pieces: Buffer[] = []
  for (let offset = 0, size = 1; offset < content.length; offset += size, size = (size * 7 + 13) % (97 * KIB) || 1) pieces.push(content.subarray(offset, offset + size))
  await pipeline(Readable.from(pieces), writer)
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

it('cuts a part into chunks of at most chunk-size, in order, each hashed, with at most two chunk files on the runner', async () => {
  const content = randomBytes(1000 * KIB)
  const store = slowStore(20)
  const writer = new ChunkedFileWriter(dir, 'b.home.tar.zst', 256 * KIB, store.handOver)
  await write(writer, content)
  // The last chunk may still be on its way to the store: the session's commit waits for it.
  while (store.stored.length < 4) await new Promise(resolve => setTimeout(resolve, 10))
  expect(writer.chunks.map(chunk => chunk.file)).toEqual(['b.home.tar.zst.chunk-0001', 'b.home.tar.zst.chunk-0002', 'b.home.tar.zst.chunk-0003', 'b.home.tar.zst.chunk-0004'])
  expect(writer.chunks.map(chunk => chunk.bytes)).toEqual([256 * KIB, 256 * KIB, 256 * KIB, 232 * KIB])
  expect(store.handed).toEqual(writer.chunks.map(chunk => chunk.file))
  const pieces = await Promise.all(writer.chunks.map(chunk => readFile(join(storeDir, chunk.file))))
  expect(pieces.map(sha256)).toEqual(writer.chunks.map(chunk => chunk.sha256))
  expect(Buffer.concat(pieces).equals(content)).toBe(true)
  // The next chunk is written while the previous one is stored, and no further ahead than that.
  expect(store.mostFilesOnRunner()).toBe(2)
  await new Promise(resolve => setTimeout(resolve, 50))
  expect(readdirSync(dir)).toEqual([])
})

it('stores a part that fits in one chunk under its own name, with no chunk list', async () => {
  const store = slowStore(0)
  const writer = new ChunkedFileWriter(dir, 'b.db.sqlite.zst', 256 * KIB, store.handOver)
  await write(writer, randomBytes(256 * KIB))
  while (store.stored.length < 1) await new Promise(resolve => setTimeout(resolve, 10))
  expect(writer.chunks).toEqual([])
  expect(store.stored).toEqual(['b.db.sqlite.zst'])
})

it('stores an empty part as one empty file', async () => {
  const store = slowStore(0)
  const writer = new ChunkedFileWriter(dir, 'b.jobs.tar.zst', 256 * KIB, store.handOver)
  await write(writer, Buffer.alloc(0))
  while (store.stored.length < 1) await new Promise(resolve => setTimeout(resolve, 10))
  expect((await readFile(join(storeDir, 'b.jobs.tar.zst'))).length).toBe(0)
})

it('keeps one whole file and hands nothing over without a store', async () => {
  const content = randomBytes(600 * KIB)
  const writer = new ChunkedFileWriter(dir, 'b.home.tar.zst', 256 * KIB)
  await write(writer, content)
  expect(writer.chunks).toEqual([])
  expect((await readFile(join(dir, 'b.home.tar.zst'))).equals(content)).toBe(true)
})

it('removes the chunk it was writing when the producer fails', async () => {
  const store = slowStore(0)
  const writer = new ChunkedFileWriter(dir, 'b.home.tar.zst', 256 * KIB, store.handOver)
  const failing = Readable.from(
    (async function* () {
      yield randomBytes(300 * KIB)
      throw new Error('the host went away')
    })()
  )
  await expect(pipeline(failing, writer)).rejects.toThrow('the host went away')
  await new Promise(resolve => setTimeout(resolve, 50))
  expect(readdirSync(dir)).toEqual([])
})

it("writes in the store's own directory when the store owns it: each chunk handed over where it was written and kept there", async () => {
  const content = randomBytes(600 * KIB)
  const handed: string[] = []
  const writer = new ChunkedFileWriter(storeDir, 'b.home.tar.zst', 256 * KIB, async file => void handed.push(file), true)
  await write(writer, content)
  expect(handed).toEqual(['b.home.tar.zst.chunk-0001', 'b.home.tar.zst.chunk-0002', 'b.home.tar.zst.chunk-0003'])
  // Nothing was deleted: the files are the store's now; nothing is half-written.
  expect(readdirSync(storeDir).sort()).toEqual(handed)
  const joined = Buffer.concat(await Promise.all(handed.map(file => readFile(join(storeDir, file)))))
  expect(sha256(joined)).toBe(sha256(content))
  expect(writer.chunks.map(chunk => chunk.sha256)).toEqual(await Promise.all(handed.map(async file => sha256(await readFile(join(storeDir, file))))))
  expect(readdirSync(dir)).toEqual([])
})
