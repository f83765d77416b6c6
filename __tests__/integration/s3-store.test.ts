/**
 * What the S3 store does beyond the store contract, against a real S3 server (Ceph's RADOS Gateway):
 * the checks before any work, Object Lock as the server enforces it, and keys it must not trust.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeleteObjectCommand } from '@aws-sdk/client-s3'
import { StoreError } from '../../src/kernel/errors.js'
import { S3ObjectStore } from '../../src/store/s3.js'
import { startS3Bed, type S3Bed } from '../support/s3-bed.js'
import { stageBackup } from '../support/store-fixtures.js'
import { recordingLogger } from '../support/transport-probes.js'

let bed: S3Bed
let scratch: string

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 's3-store-'))
  bed = await startS3Bed()
}, 120_000)

afterAll(async () => {
  await bed?.stop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

const DAY_MS = 86_400_000

describe('preflight: before a backup does any work', () => {
  test('passes for an existing bucket and valid credentials', async () => {
    const bucket = await bed.createBucket('preflight')
    await expect(new S3ObjectStore(bed.settings(bucket), recordingLogger()).preflight()).resolves.toBeUndefined()
  })

  test('names a missing bucket', async () => {
    const preflight = new S3ObjectStore(bed.settings('no-such-bucket-here'), recordingLogger()).preflight()
    await expect(preflight).rejects.toThrow(StoreError)
    await expect(preflight).rejects.toThrow(/The bucket s3:\/\/no-such-bucket-here at http:\/\/127\.0\.0\.1:\d+ does not exist/)
  })

  test('says the credentials were refused, without printing them', async () => {
    const bucket = await bed.createBucket('refused')
    const wrong = 'wrong-secret-that-must-not-be-printed'
    const settings = bed.settings(bucket, '', { credentials: { accessKeyId: bed.server.credentials.accessKeyId, secretAccessKey: wrong } })
    const error = (await new S3ObjectStore(settings, recordingLogger()).preflight().catch((caught: unknown) => caught)) as StoreError
    expect(error).toBeInstanceOf(StoreError)
    expect(error.message).toMatch(/credentials were refused .* \(HTTP 403\)/)
    expect(`${error.message} ${error.hint}`).not.toContain(wrong)
  })

  test('refuses s3-object-lock-days on a bucket without Object Lock, and accepts a bucket with it', async () => {
    const plain = await bed.createBucket('unlocked')
    const lock = { days: 1, mode: 'GOVERNANCE' as const }
    await expect(new S3ObjectStore(bed.settings(plain, '', { objectLock: lock }), recordingLogger()).preflight()).rejects.toThrow(
      `s3-object-lock-days is set, but the bucket ${plain} has no Object Lock enabled.`
    )
    const locked = await bed.createBucket('locked', { objectLock: true })
    await expect(new S3ObjectStore(bed.settings(locked, '', { objectLock: lock }), recordingLogger()).preflight()).resolves.toBeUndefined()
  })
})

describe('Object Lock', () => {
  test.each(['GOVERNANCE', 'COMPLIANCE'] as const)('%s: every object of a backup carries the retention, and the server refuses to delete its versions', async mode => {
    const bucket = await bed.createBucket(mode.toLowerCase(), { objectLock: true })
    const store = new S3ObjectStore(bed.settings(bucket, 'locked/', { objectLock: { days: 2, mode } }), recordingLogger())
    const staged = await stageBackup(scratch, 'tabby', 'vault', new Date())
    const before = Date.now()
    await store.save(staged.request)
    const versions = await bed.versionsOf(bucket, `locked/${staged.request.backupId}/`)
    expect(versions.map(version => version.Key?.split('/').pop()).sort()).toEqual([...staged.request.partFiles, staged.request.manifestFile].sort())
    for (const version of versions) {
      const retention = await bed.retentionOf(bucket, version.Key!, version.VersionId)
      expect(retention.mode).toBe(mode)
      expect(retention.until!.getTime()).toBeGreaterThanOrEqual(before + 2 * DAY_MS - 60_000)
      expect(retention.until!.getTime()).toBeLessThanOrEqual(Date.now() + 2 * DAY_MS + 60_000)
      // The server, not this tool, stands between the data and a stolen key.
      await expect(bed.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: version.Key!, VersionId: version.VersionId }))).rejects.toMatchObject({ name: 'AccessDenied' })
    }
    expect((await store.list()).map(backup => backup.backupId)).toEqual([staged.request.backupId])
  })

  test('an incremental backup extends the lock of every backup its chain builds on to its own', async () => {
    const bucket = await bed.createBucket('chain', { objectLock: true })
    const settings = (days: number) => bed.settings(bucket, '', { objectLock: { days, mode: 'GOVERNANCE' as const } })
    const full = await stageBackup(scratch, 'tabby', 'chained', new Date(Date.now() - 60_000))
    await new S3ObjectStore(settings(1), recordingLogger()).save(full.request)
    const logger = recordingLogger()
    const incremental = await stageBackup(scratch, 'tabby', 'chained', new Date(), {
      manifest: { incremental: { level: 1, chain: [full.request.backupId], baseStartedAt: new Date().toISOString(), fullEveryDays: 7 } }
    })
    const before = Date.now()
    await new S3ObjectStore(settings(5), logger).save({ ...incremental.request, incremental: { level: 1, chain: [full.request.backupId], baseStartedAt: new Date().toISOString(), fullEveryDays: 7 } })
    for (const version of await bed.versionsOf(bucket, `${full.request.backupId}/`)) {
      expect((await bed.retentionOf(bucket, version.Key!, version.VersionId)).until!.getTime()).toBeGreaterThanOrEqual(before + 5 * DAY_MS - 60_000)
    }
    expect(logger.lines.join('\n')).toContain(`Object Lock of ${full.request.backupId} (a backup this one builds on) extended to`)
  })

  test('a failed backup under lock is hidden from listings; its locked versions stay, and the log says until when', async () => {
    const bucket = await bed.createBucket('abandoned', { objectLock: true })
    const logger = recordingLogger()
    const store = new S3ObjectStore(bed.settings(bucket, '', { objectLock: { days: 1, mode: 'GOVERNANCE' } }), logger)
    const staged = await stageBackup(scratch, 'tabby', 'failing', new Date())
    const session = store.begin(staged.request)
    for (const file of staged.request.partFiles) void session.addPart(file)
    await session.abandon()
    expect(await store.list()).toEqual([])
    const versions = await bed.versionsOf(bucket, `${staged.request.backupId}/`)
    expect(versions.map(version => version.Key?.split('/').pop()).sort()).toEqual([...staged.request.partFiles].sort())
    expect(logger.lines.join('\n')).toMatch(/The failed backup's 2 objects are hidden by delete markers; Object Lock keeps their versions until \d{4}-/)
  })
})

describe('deleting a backup (retention)', () => {
  test('deletes every version of an unlocked backup, the manifest first, so nothing of it is listed or fetchable', async () => {
    const bucket = await bed.createBucket('deletable', { objectLock: true })
    const store = new S3ObjectStore(bed.settings(bucket, 'r/'), recordingLogger())
    const staged = await stageBackup(scratch, 'tabby', 'old', new Date())
    await store.save(staged.request)
    const [listed] = await store.list()
    await expect(store.delete(listed)).resolves.toEqual({ deleted: true })
    expect(await store.list()).toEqual([])
    expect(await bed.versionsOf(bucket, 'r/')).toEqual([])
  })

  test('refuses while the Object Lock it set is running, and the backup stays whole', async () => {
    const bucket = await bed.createBucket('kept', { objectLock: true })
    const store = new S3ObjectStore(bed.settings(bucket, '', { objectLock: { days: 3, mode: 'GOVERNANCE' } }), recordingLogger())
    const staged = await stageBackup(scratch, 'tabby', 'locked', new Date())
    await store.save(staged.request)
    const [listed] = await store.list()
    const outcome = await store.delete(listed)
    expect(outcome).toMatchObject({ deleted: false, refused: expect.stringMatching(/^Object Lock keeps it until \d{4}-/) })
    expect((await store.list()).map(backup => backup.backupId)).toEqual([staged.request.backupId])
    expect(await bed.versionsOf(bucket, '')).toHaveLength(3)
  })

  test('refuses on the retention this tool recorded, on a server that does not enforce any', async () => {
    const bucket = await bed.createBucket('recorded')
    const store = new S3ObjectStore(bed.settings(bucket), recordingLogger())
    const staged = await stageBackup(scratch, 'tabby', 'noted', new Date())
    await store.save(staged.request)
    // What the store writes under lock, on a bucket that has none: only the metadata says "keep".
    const until = new Date(Date.now() + DAY_MS).toISOString()
    await bed.put(bucket, `${staged.request.backupId}/${staged.request.manifestFile}`, await readFile(join(staged.request.dir, staged.request.manifestFile)), {
      metadata: { 'selfhost-backup-retain-until': until }
    })
    const [listed] = await store.list()
    await expect(store.delete(listed)).resolves.toEqual({ deleted: false, refused: `Object Lock keeps it until ${until}` })
    expect(await store.list()).toHaveLength(1)
  })

  test("reports the server's refusal of a locked part whose manifest carried no lock", async () => {
    const bucket = await bed.createBucket('refusing', { objectLock: true })
    const store = new S3ObjectStore(bed.settings(bucket), recordingLogger())
    const staged = await stageBackup(scratch, 'tabby', 'mixed', new Date())
    await store.save(staged.request)
    const [part] = staged.request.partFiles
    await bed.put(bucket, `${staged.request.backupId}/${part}`, await readFile(join(staged.request.dir, part)), { retainUntil: new Date(Date.now() + DAY_MS) })
    const [listed] = await store.list()
    const outcome = await store.delete(listed)
    expect(outcome).toMatchObject({ deleted: false, refused: expect.stringContaining('the server refused to delete 1 object version(s)') })
    expect(outcome).toMatchObject({ refused: expect.stringContaining('AccessDenied') })
    // The manifest went first: the backup is no longer listed, and the locked part is still there.
    expect(await store.list()).toEqual([])
    expect((await bed.versionsOf(bucket, '')).map(version => version.Key)).toEqual([`${staged.request.backupId}/${part}`])
  })
})

describe('keys in the bucket are untrusted names', () => {
  test('lists only <prefix><backup-id>/<backup-id>.manifest.json, whatever else the bucket holds', async () => {
    const bucket = await bed.createBucket('hostile')
    const store = new S3ObjectStore(bed.settings(bucket, 'p/'), recordingLogger())
    const staged = await stageBackup(scratch, 'tabby', 'real', new Date())
    await store.save(staged.request)
    const id = staged.request.backupId
    const other = (await stageBackup(scratch, 'tabby', 'other', new Date())).request.backupId
    for (const key of [
      `p/${other}/${id}.manifest.json`, // someone else's manifest under another id
      `p/${other}/deeper/${other}.manifest.json`,
      `p/../${other}/${other}.manifest.json`,
      `p/not-a-backup-id/not-a-backup-id.manifest.json`,
      `${other}/${other}.manifest.json`, // outside the prefix
      `p/${other}.manifest.json`
    ])
      await bed.put(bucket, key, '{}')
    expect((await store.list()).map(backup => backup.backupId)).toEqual([id])
  })
})
