import type { Readable } from 'node:stream'
import type { S3Client } from '@aws-sdk/client-s3'
import { StoreError } from '../kernel/errors.js'

export interface S3StoreSettings {
  bucket: string
  /** Empty, or ending in "/": every backup is `<prefix><backup-id>/`. */
  prefix: string
  /** Empty: AWS S3 itself. */
  endpoint?: string
  region: string
  forcePathStyle: boolean
  storageClass?: string
  /** Empty: the SDK's own chain (AWS_ACCESS_KEY_ID…, a web identity token from OIDC, a profile). */
  credentials?: { accessKeyId: string; secretAccessKey: string }
  objectLock?: { days: number; mode: 'GOVERNANCE' | 'COMPLIANCE' }
}

type S3Module = typeof import('@aws-sdk/client-s3')
type StorageModule = typeof import('@aws-sdk/lib-storage')

/** lib-storage's part size: the smallest S3 accepts is 5 MiB; two parts in flight per upload. */
const PART_SIZE = 8 * 1024 * 1024
const PARTS_IN_FLIGHT = 2
/** Object metadata (x-amz-meta-…) in which every locked object records its retention. */
const RETAIN_UNTIL_METADATA = 'selfhost-backup-retain-until'
/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000

interface Opened {
  s3: S3Module
  storage: StorageModule
  client: S3Client
}

/**
 * The S3 calls the store needs, through the AWS SDK v3, loaded on first use (its own bundle chunk: a run
 * with another store never loads it). Checksums are sent when the operation requires one and on every
 * upload (SHA-256 per part), which is also what a bucket with Object Lock requires on writes.
 */
export class S3Connection {
  private opening?: Promise<Opened>

  constructor(private readonly settings: S3StoreSettings) {}

  private open(): Promise<Opened> {
    this.opening ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(([s3, storage]) => {
      const { endpoint, region, forcePathStyle, credentials } = this.settings
      const client = new s3.S3Client({
        region,
        ...(endpoint ? { endpoint } : {}),
        forcePathStyle,
        ...(credentials ? { credentials } : {}),
        // Servers other than AWS (and older gateways) refuse or mangle the SDK's default streaming CRC32 trailers.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: 4
      })
      return { s3, storage, client }
    })
    return this.opening
  }

  /** The bucket exists and these credentials reach it. */
  async checkBucket(): Promise<void> {
    const { s3, client } = await this.open()
    try {
      await client.send(new s3.HeadBucketCommand({ Bucket: this.settings.bucket }))
    } catch (error) {
      const status = statusOf(error)
      const where = `s3://${this.settings.bucket}${this.settings.endpoint ? ` at ${this.settings.endpoint}` : ''}`
      if (status === 404) throw new StoreError(`The bucket ${where} does not exist.`, 'create it first (with Object Lock if you want it), or fix s3-bucket, s3-endpoint and s3-region.')
      if (status === 403 || status === 401)
        throw new StoreError(
          `The credentials were refused by ${where} (HTTP ${status}).`,
          'check s3-access-key-id and s3-secret-access-key, or the AWS_* variables, and that they may use this bucket.'
        )
      if (/credential/i.test((error as Error).message))
        throw new StoreError(
          `No S3 credentials were found for ${where}.`,
          'set s3-access-key-id and s3-secret-access-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (aws-actions/configure-aws-credentials sets them).'
        )
      throw new StoreError(`Cannot reach ${where}: ${this.describe(error)}`, 'check s3-endpoint and s3-region, and that the runner reaches the endpoint.', { cause: error })
    }
  }

  /** Object Lock is enabled on the bucket: without it, retention headers would be refused or, worse, ignored. */
  async checkObjectLock(): Promise<void> {
    const { s3, client } = await this.open()
    const missing = new StoreError(
      `s3-object-lock-days is set, but the bucket ${this.settings.bucket} has no Object Lock enabled.`,
      'enable Object Lock on the bucket (it needs versioning), or leave s3-object-lock-days empty.'
    )
    try {
      const answer = await client.send(new s3.GetObjectLockConfigurationCommand({ Bucket: this.settings.bucket }))
      if (answer.ObjectLockConfiguration?.ObjectLockEnabled !== 'Enabled') throw missing
    } catch (error) {
      if (error === missing || nameOf(error) === 'ObjectLockConfigurationNotFoundError') throw missing
      throw new StoreError(`Reading the Object Lock configuration of ${this.settings.bucket} failed: ${this.describe(error)}`, 'the credentials need s3:GetBucketObjectLockConfiguration.', {
        cause: error
      })
    }
  }

  /** One object from a stream, in 8 MiB parts (a single PUT when it is smaller), with its retention when given. */
  async upload(key: string, body: Readable, retainUntil: Date | undefined): Promise<void> {
    const { storage, client } = await this.open()
    const lock = this.settings.objectLock
    const upload = new storage.Upload({
      client,
      params: {
        Bucket: this.settings.bucket,
        Key: key,
        Body: body,
        ChecksumAlgorithm: 'SHA256',
        ...(this.settings.storageClass ? { StorageClass: this.settings.storageClass as never } : {}),
        // The metadata records the retention for this tool's own checks, also on a server that ignores the lock headers.
        ...(lock && retainUntil ? { ObjectLockMode: lock.mode, ObjectLockRetainUntilDate: retainUntil, Metadata: { [RETAIN_UNTIL_METADATA]: retainUntil.toISOString() } } : {})
      },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false
    })
    await upload.done()
  }

  /** Every key under `prefix`, every page of it. */
  async listKeys(prefix: string): Promise<{ key: string; lastModified: Date }[]> {
    const { s3, client } = await this.open()
    const found: { key: string; lastModified: Date }[] = []
    let token: string | undefined
    do {
      const page = await client.send(new s3.ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: prefix || undefined, ContinuationToken: token }))
      for (const object of page.Contents ?? []) if (object.Key && object.LastModified) found.push({ key: object.Key, lastModified: object.LastModified })
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
    return found
  }

  /** The object's bytes from `offset` to its end (a range request, but for the whole object). */
  async download(key: string, offset = 0): Promise<Readable> {
    const { s3, client } = await this.open()
    const answer = await client.send(new s3.GetObjectCommand({ Bucket: this.settings.bucket, Key: key, ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}) }))
    if (!answer.Body) throw new StoreError(`s3://${this.settings.bucket}/${key} came back without a body.`, 'retry; if it repeats, check the endpoint.')
    return answer.Body as Readable
  }

  /** The later of the retention the server reports for `key` and the one this tool recorded in its metadata; undefined when neither. */
  async retainedUntil(key: string): Promise<Date | undefined> {
    const { s3, client } = await this.open()
    const head = await client.send(new s3.HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }))
    const recorded = head.Metadata?.[RETAIN_UNTIL_METADATA] ? new Date(head.Metadata[RETAIN_UNTIL_METADATA]) : undefined
    const dates = [head.ObjectLockRetainUntilDate, recorded].filter((date): date is Date => date instanceof Date && !Number.isNaN(date.getTime()))
    return dates.length > 0 ? new Date(Math.max(...dates.map(date => date.getTime()))) : undefined
  }

  /** Moves the retention of every current object under `prefix` out to `until` (never earlier: a lock is only ever extended). */
  async extendRetention(prefix: string, until: Date): Promise<number> {
    const { s3, client } = await this.open()
    const lock = this.settings.objectLock
    if (!lock) return 0
    let extended = 0
    for (const { key } of await this.listKeys(prefix)) {
      const current = await this.retainedUntil(key)
      if (current && current.getTime() >= until.getTime()) continue
      await client.send(new s3.PutObjectRetentionCommand({ Bucket: this.settings.bucket, Key: key, Retention: { Mode: lock.mode, RetainUntilDate: until } }))
      extended++
    }
    return extended
  }

  /** Every version and delete marker under `prefix` (a bucket without versioning answers one "null" version per key). */
  async listVersions(prefix: string): Promise<{ key: string; versionId?: string }[]> {
    const { s3, client } = await this.open()
    const found: { key: string; versionId?: string }[] = []
    let keyMarker: string | undefined
    let versionMarker: string | undefined
    for (;;) {
      const page = await client.send(new s3.ListObjectVersionsCommand({ Bucket: this.settings.bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }))
      for (const entry of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) if (entry.Key) found.push({ key: entry.Key, versionId: entry.VersionId })
      if (!page.IsTruncated) return found
      keyMarker = page.NextKeyMarker
      versionMarker = page.NextVersionIdMarker
    }
  }

  /**
   * Deletes objects: an exact version when one is given, else the current one (in a versioned bucket that
   * hides it behind a delete marker). Returns the server's refusals, each with its key and reason.
   */
  async remove(objects: { key: string; versionId?: string }[]): Promise<{ key: string; reason: string }[]> {
    const { s3, client } = await this.open()
    const refused: { key: string; reason: string }[] = []
    for (let start = 0; start < objects.length; start += DELETE_BATCH) {
      const batch = objects.slice(start, start + DELETE_BATCH).map(object => ({ Key: object.key, VersionId: object.versionId }))
      const answer = await client.send(new s3.DeleteObjectsCommand({ Bucket: this.settings.bucket, Delete: { Objects: batch, Quiet: true } }))
      for (const failure of answer.Errors ?? []) refused.push({ key: failure.Key ?? '', reason: `${failure.Code ?? 'refused'} ${failure.Message ?? ''}`.trim() })
    }
    return refused
  }

  isMissing(error: unknown): boolean {
    return nameOf(error) === 'NoSuchKey' || statusOf(error) === 404
  }

  /** The SDK's error name, message and HTTP status; never a credential (the SDK's errors carry none). */
  describe(error: unknown): string {
    const status = statusOf(error)
    return `${nameOf(error) ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
}

function nameOf(error: unknown): string | undefined {
  return (error as { name?: string }).name
}
