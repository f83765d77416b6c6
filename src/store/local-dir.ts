import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { linkOrCopy } from './link-or-copy.js'
import { join } from 'node:path'
import { StoreError } from '../kernel/errors.js'
import { consoleLogger, type Logger } from '../kernel/log.js'
import { MANIFEST_SUFFIX, parseBackupId } from '../kernel/manifest.js'
import {
  itemsInOrder,
  matchesFilter,
  saveAll,
  StoringQueue,
  type BackupFilter,
  type BackupToStore,
  type DeleteOutcome,
  type SaveRequest,
  type SaveResult,
  type Store,
  type StoredBackup,
  type StoreSession,
  trustedNewestFirst
} from './store.js'

/**
 * A directory with one sub-directory per backup. A backup is written under a ".partial" name and
 * renamed when its manifest is in place, so a crash never leaves something that looks complete.
 */
export class LocalDirectoryStore implements Store {
  readonly kind = 'local' as const
  readonly traits = { readableByOthers: false, notFoundHint: '', chainLinkHint: '' }
  private readonly warned = new Set<string>()

  /** Without a logger, a backup left out of a listing is still reported, on stderr. */
  constructor(
    readonly root: string,
    private readonly logger: Logger = consoleLogger()
  ) {}

  save(request: SaveRequest): Promise<SaveResult> {
    return saveAll(this, request)
  }

  /**
   * Parts (or their chunks) go into a ".partial" directory as they complete: written there directly when
   * the writer asks for writeDirectory (the backup pipeline does, so nothing is staged in RUNNER_TEMP),
   * else linked (or, across filesystems, copied) from the backup's directory. The manifest goes last and
   * the directory is renamed.
   */
  begin(backup: BackupToStore): StoreSession {
    const partial = join(this.root, `.${backup.backupId}.partial`)
    const final = join(this.root, backup.backupId)
    const queue = new StoringQueue()
    const stored = new Map<string, SaveResult['items'][number]>()
    const prepared = (async () => {
      await mkdir(this.root, { recursive: true, mode: 0o700 })
      await rm(partial, { recursive: true, force: true })
      await mkdir(partial, { mode: 0o700 })
    })()
    // Once the writer asked for writeDirectory, its parts are written in the ".partial" directory itself.
    let partsWrittenInPlace = false
    const place = (file: string, from: string): Promise<void> =>
      queue.push(async () => {
        await prepared
        if (from !== partial) await linkOrCopy(join(from, file), join(partial, file))
        stored.set(file, { name: file, id: join(final, file) })
      })
    const failed = (error: unknown): StoreError =>
      new StoreError(`Saving the backup into ${this.root} failed: ${(error as Error).message}`, 'check that the store directory is writable and has space.', { cause: error })
    return {
      addPart: file => {
        try {
          return place(file, partsWrittenInPlace ? partial : backup.dir)
        } catch (error) {
          throw failed(error)
        }
      },
      // A failed commit leaves the ".partial" directory to abandon(), which every caller runs.
      commit: async (manifestFile, partFiles) => {
        try {
          await queue.drain()
          itemsInOrder(stored, partFiles)
          void place(manifestFile, backup.dir)
          await queue.drain()
          await rename(partial, final)
          return { items: itemsInOrder(stored, [...partFiles, manifestFile]), where: final, manifestPath: join(final, manifestFile) }
        } catch (error) {
          throw failed(error)
        }
      },
      abandon: async () => {
        await queue.settle()
        await prepared.catch(() => undefined)
        await rm(partial, { recursive: true, force: true })
      },
      writeDirectory: async () => {
        try {
          await prepared
        } catch (error) {
          throw failed(error)
        }
        partsWrittenInPlace = true
        return partial
      }
    }
  }

  async list(filter?: BackupFilter): Promise<StoredBackup[]> {
    let entries: string[]
    try {
      entries = await readdir(this.root)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    const backups: StoredBackup[] = []
    for (const entry of entries) {
      const parsed = parseBackupId(entry)
      if (!parsed) continue
      const manifest = join(this.root, entry, `${entry}${MANIFEST_SUFFIX}`)
      const info = await stat(manifest).catch(() => null)
      if (!info) continue
      // The manifest's mtime: written last, just before the store took it in (a link keeps that time, a copy takes its own).
      const backup = { backupId: entry, app: parsed.app, hostId: parsed.hostId, createdAt: info.mtime.toISOString(), location: { dir: join(this.root, entry) } }
      if (matchesFilter(backup, filter)) backups.push(backup)
    }
    return trustedNewestFirst(backups, this.logger, this.warned)
  }

  /** Renamed out of the listing first (a name parseBackupId refuses), then removed: a crash half-way never leaves a backup that lists with parts missing. */
  async delete(backup: StoredBackup): Promise<DeleteOutcome> {
    const dir = join(this.root, backup.backupId)
    const going = join(this.root, `.${backup.backupId}.deleting`)
    try {
      await rename(dir, going)
      await rm(going, { recursive: true, force: true })
    } catch (error) {
      return { deleted: false, refused: `it could not be removed from ${this.root}: ${(error as Error).message}` }
    }
    return { deleted: true }
  }

  async fetch(backup: StoredBackup, fileName: string, destDir: string): Promise<string> {
    const source = join(String(backup.location.dir), fileName)
    const target = join(destDir, fileName)
    try {
      await copyFile(source, target)
    } catch (error) {
      throw new StoreError(`${fileName} is missing from ${backup.location.dir}.`, 'the backup is incomplete; pick another backup-id.', { cause: error })
    }
    return target
  }

  async read(backup: StoredBackup, fileName: string, offset: number): Promise<Readable> {
    const source = join(String(backup.location.dir), fileName)
    try {
      const file = await open(source, 'r')
      return file.createReadStream({ start: offset, highWaterMark: STORE_READ_BYTES })
    } catch (error) {
      throw new StoreError(`${fileName} is missing from ${backup.location.dir}.`, 'the backup is incomplete; pick another backup-id.', { cause: error })
    }
  }
}

/** A restore reads a stored file in pieces of this size (a block is checked once whole, then sent on). */
const STORE_READ_BYTES = 64 * 1024
