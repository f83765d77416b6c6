/**
 * The S3 server plus what tests do to it from the side: make buckets (with or without Object Lock), put
 * objects the way another tool or an attacker would, and read back retention and versions.
 */
import { randomBytes } from 'node:crypto'
import { CreateBucketCommand, GetObjectRetentionCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client, type ObjectVersion } from '@aws-sdk/client-s3'
import type { S3StoreSettings } from '../../src/store/s3.js'
import { startS3Server, type S3Server } from './s3-server.js'

export interface S3Bed {
  server: S3Server
  client: S3Client
  /** A fresh bucket named after `purpose` (plus a random suffix), with Object Lock when asked. */
  createBucket(purpose: string, options?: { objectLock?: boolean }): Promise<string>
  /** A PutObject from outside the store; `extra` adds metadata or a retention as another tool would. */
  put(bucket: string, key: string, body: Buffer | string, extra?: { metadata?: Record<string, string>; retainUntil?: Date }): Promise<void>
  /** Store settings for `bucket` on this server, with its credentials. */
  settings(bucket: string, prefix?: string, extra?: Partial<S3StoreSettings>): S3StoreSettings
  /** The store's inputs for an action or the CLI (the secret comes separately, as a secret would). */
  inputs(bucket: string, prefix?: string): Record<string, string>
  retentionOf(bucket: string, key: string, versionId?: string): Promise<{ mode?: string; until?: Date }>
  versionsOf(bucket: string, prefix: string): Promise<ObjectVersion[]>
  stop(): Promise<void>
}

export async function startS3Bed(): Promise<S3Bed> {
  const server = await startS3Server()
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: server.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED'
  })
  return {
    server,
    client,
    async createBucket(purpose, options = {}) {
      const bucket = `${purpose}-${randomBytes(4).toString('hex')}`
      await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: options.objectLock || undefined }))
      return bucket
    },
    async put(bucket, key, body, extra = {}) {
      const lock = extra.retainUntil ? { ObjectLockMode: 'GOVERNANCE' as const, ObjectLockRetainUntilDate: extra.retainUntil, ChecksumAlgorithm: 'SHA256' as const } : {}
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata: extra.metadata, ...lock }))
    },
    settings(bucket, prefix = '', extra = {}) {
      return { bucket, prefix, endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: { ...server.credentials }, ...extra }
    },
    inputs(bucket, prefix = '') {
      return {
        store: 's3',
        's3-bucket': bucket,
        's3-prefix': prefix,
        's3-endpoint': server.endpoint,
        's3-region': server.region,
        's3-force-path-style': 'true',
        's3-access-key-id': server.credentials.accessKeyId,
        's3-secret-access-key': server.credentials.secretAccessKey
      }
    },
    async retentionOf(bucket, key, versionId) {
      const answer = await client.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: versionId }))
      return { mode: answer.Retention?.Mode, until: answer.Retention?.RetainUntilDate }
    },
    async versionsOf(bucket, prefix) {
      const answer = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }))
      return answer.Versions ?? []
    },
    async stop() {
      client.destroy()
      await server.stop()
    }
  }
}
