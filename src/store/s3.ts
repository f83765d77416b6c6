import { createReadStream, createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { StoreError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import { MANIFEST_SUFFIX, manifestFileName, parseBackupId } from '../kernel/manifest.js'
import { S3Connection, type S3StoreSettings } from './s3-connection.js'
import {
  matchesFilter,
  saveAll,
  trustedNewestFirst,
  type BackupFilter,
  type BackupToStore,
  type DeleteOutcome,
  type SaveRequest,
  type SaveResult,
  type Store,
  type StoredBackup,
  type StoreSession
} from './store.js'
import { uploadSession } from './upload-session.js'

export type { S3StoreSettings } from './s3-connection.js'

/**
 * An S3-compatible bucket: each backup is the prefix `<s3-prefix><backup-id>/`, holding its part files (or
 * their chunks) and, written last, its manifest. With Object Lock asked for, every object is written with
 * its retention, so nobody holding the same credentials can delete or overwrite it before it runs out.
 */
export class S3ObjectStore implements Store {
  readonly kind = 's3' as const
  readonly traits = { readableByOthers: false, notFoundHint: ' (check s3-bucket and s3-prefix)', chainLinkHint: '' }
  private readonly connection: S3Connection
  private readonly warned = new Set<string>()

  constructor(
    private readonly settings: S3StoreSettings,
    private readonly logger: Logger
  ) {
    this.connection = new S3Connection(settings)
  }

  /** Before any work: the bucket answers with these credentials, and has Object Lock when it is asked for. */
  async preflight(): Promise<void> {
    await this.connection.checkBucket()
    if (this.settings.objectLock) await this.connection.checkObjectLock()
  }

  save(request: SaveRequest): Promise<SaveResult> {
    return saveAll(this, request)
  }

  /** One file at a time (see uploadSession); each upload has two 8 MiB parts in flight (s3-connection.ts). */
  begin(backup: BackupToStore): StoreSession {
    const retainUntil = this.settings.objectLock ? new Date(Date.now() + this.settings.objectLock.days * 86_400_000) : undefined
    if (retainUntil) this.logger.info(`Object Lock (${this.settings.objectLock!.mode.toLowerCase()}): every object of this backup is kept until ${retainUntil.toISOString()}.`)
    const where = `s3://${this.settings.bucket}/${this.keyOf(backup.backupId, '')}`
    return uploadSession(
      {
        dir: backup.dir,
        upload: async file => {
          const key = this.keyOf(backup.backupId, file)
          await this.connection.upload(key, createReadStream(join(backup.dir, file)), retainUntil)
          return { name: file, id: key }
        },
        failed: (file, error) =>
          new StoreError(
            `Uploading ${file} to ${where} failed: ${this.connection.describe(error)}`,
            'the backup was not stored (no manifest was uploaded); check the bucket, the credentials and the endpoint, then re-run.',
            { cause: error }
          ),
        noun: 'objects',
        where,
        beforeManifest: async () => {
          if (retainUntil && backup.incremental) await this.lockChain(backup.incremental.chain, retainUntil)
        },
        removeStored: async items => {
          const keys = items.map(item => item.id)
          const refused = await this.connection.remove(keys.map(key => ({ key }))).catch((error: unknown) => {
            this.logger.warning(`Could not delete what the failed backup uploaded to ${where}: ${this.connection.describe(error)}`)
            return []
          })
          if (retainUntil && keys.length > 0)
            this.logger.info(`The failed backup's ${keys.length} objects are hidden by delete markers; Object Lock keeps their versions until ${retainUntil.toISOString()}.`)
          for (const { key } of refused) this.logger.warning(`s3://${this.settings.bucket}/${key} of the failed backup was not deleted (the server refused).`)
        }
      },
      this.logger
    )
  }

  /**
   * An incremental backup is only as restorable as the backups it builds on: their locks are extended to
   * this one's before its manifest goes up. Failing that, the backup is not stored.
   */
  private async lockChain(chain: string[], until: Date): Promise<void> {
    for (const backupId of chain) {
      try {
        const extended = await this.connection.extendRetention(this.keyOf(backupId, ''), until)
        if (extended > 0) this.logger.info(`Object Lock of ${backupId} (a backup this one builds on) extended to ${until.toISOString()} on ${extended} objects.`)
      } catch (error) {
        throw new StoreError(
          `Extending the Object Lock of ${backupId}, which this incremental backup builds on, failed: ${this.connection.describe(error)}`,
          'the credentials need s3:PutObjectRetention; without it the chain could be deleted before this backup, so no manifest was uploaded.',
          { cause: error }
        )
      }
    }
  }

  async list(filter?: BackupFilter): Promise<StoredBackup[]> {
    const backups: StoredBackup[] = []
    let objects: { key: string; lastModified: Date }[]
    try {
      objects = await this.connection.listKeys(this.settings.prefix)
    } catch (error) {
      throw new StoreError(
        `Listing s3://${this.settings.bucket}/${this.settings.prefix} failed: ${this.connection.describe(error)}`,
        'check s3-bucket, s3-endpoint, s3-region and the credentials (they need s3:ListBucket).',
        {
          cause: error
        }
      )
    }
    for (const object of objects) {
      // <prefix><backup-id>/<backup-id>.manifest.json, nothing else: keys are untrusted names.
      const [backupId, file, ...deeper] = object.key.slice(this.settings.prefix.length).split('/')
      if (deeper.length > 0 || file !== `${backupId}${MANIFEST_SUFFIX}`) continue
      const parsed = parseBackupId(backupId)
      if (!parsed) continue
      const backup = { backupId, app: parsed.app, hostId: parsed.hostId, createdAt: object.lastModified.toISOString(), location: { prefix: this.keyOf(backupId, '') } }
      if (matchesFilter(backup, filter)) backups.push(backup)
    }
    return trustedNewestFirst(backups, this.logger, this.warned)
  }

  async fetch(backup: StoredBackup, fileName: string, destDir: string): Promise<string> {
    const key = this.keyOf(backup.backupId, fileName)
    const target = join(destDir, fileName)
    const body = await this.read(backup, fileName, 0)
    try {
      await pipeline(body, createWriteStream(target, { mode: 0o600 }))
    } catch (error) {
      // Nothing half-downloaded stays where a whole file is expected.
      await rm(target, { force: true })
      throw new StoreError(`Downloading s3://${this.settings.bucket}/${key} was cut off: ${(error as Error).message}`, 'retry; if it repeats, check the connection to the endpoint.', { cause: error })
    }
    return target
  }

  async read(backup: StoredBackup, fileName: string, offset: number): Promise<Readable> {
    const key = this.keyOf(backup.backupId, fileName)
    try {
      return await this.connection.download(key, offset)
    } catch (error) {
      if (this.connection.isMissing(error))
        throw new StoreError(`s3://${this.settings.bucket}/${key} is missing.`, 'the backup is incomplete or was deleted; pick another backup-id.', { cause: error })
      throw new StoreError(
        `Downloading s3://${this.settings.bucket}/${key} failed: ${this.connection.describe(error)}`,
        'check the credentials (they need s3:GetObject) and the endpoint, then retry.',
        {
          cause: error
        }
      )
    }
  }

  /**
   * Every version of every object of the backup, the manifest's first, unless a retention still runs:
   * the one the manifest records (this tool's own note) or the server reports, whichever is later. A
   * server that enforces Object Lock refuses a locked version all the same, and that refusal is reported.
   */
  async delete(backup: StoredBackup): Promise<DeleteOutcome> {
    const manifestKey = this.keyOf(backup.backupId, manifestFileName(backup.backupId))
    try {
      const until = await this.connection.retainedUntil(manifestKey)
      if (until && until.getTime() > Date.now()) return { deleted: false, refused: `Object Lock keeps it until ${until.toISOString()}` }
      const versions = await this.connection.listVersions(this.keyOf(backup.backupId, ''))
      // The manifest in a call of its own: the backup stops being listed before any part goes.
      const refused = await this.connection.remove(versions.filter(version => version.key === manifestKey))
      if (refused.length === 0) refused.push(...(await this.connection.remove(versions.filter(version => version.key !== manifestKey))))
      if (refused.length > 0) return { deleted: false, refused: `the server refused to delete ${refused.length} object version(s), e.g. ${refused[0].key}: ${refused[0].reason}` }
    } catch (error) {
      return { deleted: false, refused: `deleting it failed: ${this.connection.describe(error)}` }
    }
    return { deleted: true }
  }

  /** `<prefix><backup-id>/<file>`; the backup id matched its strict pattern before it got here. */
  private keyOf(backupId: string, file: string): string {
    return `${this.settings.prefix}${backupId}/${file}`
  }
}
