/**
 * The s3 store when the network or the server fails: 503s and dropped connections injected by a proxy in
 * front of the real server (Ceph's RADOS Gateway). A passing blip is retried away; a persistent failure
 * is a clear StoreError, and a backup that could not be stored completely is never listed.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BlockHasher } from '../../src/kernel/block-hashes.js'
import { StoreError } from '../../src/kernel/errors.js'
import { BLOCK_SIZE_RANGE, type PartRecord } from '../../src/kernel/manifest.js'
import { verifiedBytes, type Finding } from '../../src/pipeline/verified-bytes.js'
import { S3ObjectStore } from '../../src/store/s3.js'
import { faultCase } from '../support/fault-checks.js'
import { startS3Bed, type S3Bed } from '../support/s3-bed.js'
import { startS3FaultProxy, type S3FaultProxy } from '../support/s3-fault-proxy.js'
import { freshDir, sha256, sha256File, stageBackup } from '../support/store-fixtures.js'
import { recordingLogger } from '../support/transport-probes.js'

let bed: S3Bed
let proxy: S3FaultProxy
let scratch: string

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 's3-faults-'))
  bed = await startS3Bed()
  proxy = await startS3FaultProxy(bed.server.endpoint)
}, 120_000)

afterAll(async () => {
  await proxy?.stop()
  await bed?.stop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

beforeEach(() => {
  proxy.clear()
  proxy.hits = 0
})

/** A store whose every request goes through the fault proxy; `lock` sets Object Lock on its writes. */
const storeThroughProxy = (bucket: string): S3ObjectStore => new S3ObjectStore(bed.settings(bucket, '', { endpoint: proxy.endpoint }), recordingLogger())

describe('s3 store faults', () => {
  faultCase('s3-store', 'two 503s on a part upload are retried, and the backup is stored byte for byte', async () => {
    const bucket = await bed.createBucket('blip')
    const store = storeThroughProxy(bucket)
    const staged = await stageBackup(scratch, 'tabby', 'blip', new Date())
    proxy.arm({ method: 'PUT', pathIncludes: staged.request.partFiles[1], kind: 'http-503', times: 2 })
    await store.save(staged.request)
    expect(proxy.hits).toBe(2)
    const [listed] = await store.list()
    const into = await freshDir(scratch, 'blip')
    for (const [file, digest] of staged.digests) expect(await sha256File(await store.fetch(listed, file, into))).toBe(digest)
  })

  faultCase('s3-store', 'a dropped connection on an upload is retried', async () => {
    const bucket = await bed.createBucket('dropped')
    const store = storeThroughProxy(bucket)
    const staged = await stageBackup(scratch, 'tabby', 'dropped', new Date())
    proxy.arm({ method: 'PUT', pathIncludes: staged.request.partFiles[0], kind: 'drop', times: 1 })
    await store.save(staged.request)
    expect(proxy.hits).toBe(1)
    expect((await store.list()).map(backup => backup.backupId)).toEqual([staged.request.backupId])
  })

  faultCase('s3-store', 'a part that keeps failing: a clear StoreError, no manifest, and the parts already stored are deleted', async () => {
    const bucket = await bed.createBucket('failing')
    const store = storeThroughProxy(bucket)
    const staged = await stageBackup(scratch, 'tabby', 'failing', new Date())
    proxy.arm({ method: 'PUT', pathIncludes: staged.request.partFiles[1], kind: 'http-503', times: 'always' })
    const began = Date.now()
    const error = (await store.save(staged.request).catch((caught: unknown) => caught)) as StoreError
    expect(error).toBeInstanceOf(StoreError)
    expect(error.message).toContain(`Uploading ${staged.request.partFiles[1]} to s3://${bucket}/`)
    expect(error.message).toMatch(/ServiceUnavailable|503/)
    expect(error.hint).toContain('no manifest was uploaded')
    expect(Date.now() - began).toBeLessThan(60_000)
    proxy.clear()
    expect(await store.list()).toEqual([])
    expect(await bed.versionsOf(bucket, '')).toEqual([])
  })

  faultCase('s3-store', 'the manifest upload that keeps dropping: the backup is never listed', async () => {
    const bucket = await bed.createBucket('no-manifest')
    const store = storeThroughProxy(bucket)
    const staged = await stageBackup(scratch, 'tabby', 'no-manifest', new Date())
    proxy.arm({ method: 'PUT', pathIncludes: staged.request.manifestFile, kind: 'drop', times: 'always' })
    await expect(store.save(staged.request)).rejects.toBeInstanceOf(StoreError)
    proxy.clear()
    expect(await store.list()).toEqual([])
  })

  faultCase('s3-store', 'a download cut off half-way is a StoreError with nothing half-written taken for whole; the next attempt gets every byte', async () => {
    const bucket = await bed.createBucket('cut')
    const store = storeThroughProxy(bucket)
    const staged = await stageBackup(scratch, 'tabby', 'cut', new Date())
    await store.save(staged.request)
    const [listed] = await store.list()
    const part = staged.request.partFiles[1]
    proxy.arm({ method: 'GET', pathIncludes: part, kind: 'cut-body', times: 1 })
    const into = await freshDir(scratch, 'cut')
    await expect(store.fetch(listed, part, into)).rejects.toThrow(/was cut off|failed/)
    expect(proxy.hits).toBe(1)
    expect(await readdir(into)).toEqual([])
    const again = await freshDir(scratch, 'again')
    expect(await sha256File(await store.fetch(listed, part, again))).toBe(staged.digests.get(part))
    expect(await readdir(again)).toEqual([part])
  })

  faultCase('s3-store', "a restore's streamed read cut off half-way is read on from the first block not yet checked, and every byte arrives checked", async () => {
    const bucket = await bed.createBucket('cut-stream')
    const store = storeThroughProxy(bucket)
    const staged = await stageBackup(scratch, 'tabby', 'cut-stream', new Date())
    await store.save(staged.request)
    const [listed] = await store.list()
    const file = staged.request.partFiles[1]
    const content = await readFile(join(staged.request.dir, file))
    // 64 KiB blocks: the cut half-way through the 640 KiB part comes after some of them were checked.
    const blocks = new BlockHasher(BLOCK_SIZE_RANGE.min)
    blocks.update(content)
    const record: PartRecord = {
      name: 'home',
      file,
      kind: 'tar',
      compression: 'zstd',
      bytes: content.length,
      sha256: sha256(content),
      durationMs: 1,
      blockSize: BLOCK_SIZE_RANGE.min,
      blocks: blocks.digest()
    }
    proxy.arm({ method: 'GET', pathIncludes: file, kind: 'cut-body', times: 1 })
    const logger = recordingLogger()
    const finding: Finding = {}
    const pieces: Buffer[] = []
    for await (const piece of verifiedBytes({ store, backup: listed, runnerDir: scratch, logger, retryPauseMs: 10 }, record, finding)) pieces.push(piece)
    const received = Buffer.concat(pieces)
    expect(proxy.hits).toBe(1)
    expect(sha256(received)).toBe(sha256(content))
    expect(finding.damage).toBeUndefined()
    // Read on at a block boundary after some blocks checked (what of the half sent arrived before the cut varies).
    const readOn = new RegExp(`warning: Reading ${file.replace(/\./g, '\\.')} from the store broke off at byte (\\d+) .*reading it again from there`).exec(logger.lines.join('\n'))
    const at = Number(readOn?.[1])
    expect({ blocksChecked: at / BLOCK_SIZE_RANGE.min, beforeTheCut: at <= content.length / 2 }).toEqual({ blocksChecked: expect.any(Number), beforeTheCut: true })
    expect(Number.isInteger(at / BLOCK_SIZE_RANGE.min) && at > 0).toBe(true)
  })
})
