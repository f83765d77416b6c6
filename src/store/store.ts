import type { Manifest } from '../core/manifest.js'

/**
 * A place backups live. Parts are saved before the manifest, so a listing (which only shows backups
 * whose manifest exists) never shows an incomplete one.
 */
export interface StoredBackup {
  backupId: string
  app: string
  hostId: string
  /** When the manifest was stored: ISO 8601. */
  createdAt: string
  /** Store-specific handle (artifact ids and run id, or a directory). */
  location: Record<string, string | number>
}

export interface BackupToStore {
  backupId: string
  /** Directory holding the part files and the manifest. */
  dir: string
  /** The manifest's incremental chain, if any: a store with expiry keeps every link as long as the last one. */
  incremental?: Manifest['incremental']
}

export interface SaveRequest extends BackupToStore {
  partFiles: string[]
  manifestFile: string
}

/**
 * One backup being stored while it is still being made: each part is handed over as soon as it is
 * complete and stored in the background, in order, while the next part streams in; the manifest goes
 * last, in `commit`, after every part is stored.
 */
export interface StoreSession {
  /** Queues a finished part file; throws at once if an earlier part already failed to store. */
  addPart(file: string): void
  /**
   * Waits for the parts, then stores the manifest: only now does the backup exist for a listing. `partFiles`
   * are the manifest's parts, in its order: each must have been stored, and the result lists them so.
   */
  commit(manifestFile: string, partFiles: string[]): Promise<SaveResult>
  /** The backup failed: waits for the queue and removes what was stored of it (best effort). */
  abandon(): Promise<void>
}

export interface SaveResult {
  /** Where each file went: artifact name and id, or a path. */
  items: { name: string; id: string }[]
  /** Human-readable place, e.g. "/var/backups/tabby--host--2026…" or "artifacts of run 42". */
  where: string
}

export interface BackupFilter {
  app?: string
  hostId?: string
  /** Also look beyond a configured run-id (the earlier backups of an incremental chain come from other runs). */
  everywhere?: boolean
}

export interface Store {
  readonly kind: 'github' | 'local'
  begin(backup: BackupToStore): StoreSession
  /** begin, every part, commit: for a backup whose files are all ready. */
  save(request: SaveRequest): Promise<SaveResult>
  /** Complete backups only, newest first. */
  list(filter?: BackupFilter): Promise<StoredBackup[]>
  /** Downloads one file of a backup (its manifest or a part) into `destDir`; returns the local path. */
  fetch(backup: StoredBackup, fileName: string, destDir: string): Promise<string>
}

export function matchesFilter(backup: Pick<StoredBackup, 'app' | 'hostId'>, filter: BackupFilter = {}): boolean {
  return (!filter.app || backup.app === filter.app) && (!filter.hostId || backup.hostId === filter.hostId)
}

/** Newest first by the timestamp inside the backup id (store dates can be rewritten by copies). */
export function newestFirst(backups: StoredBackup[]): StoredBackup[] {
  const stamp = (backup: StoredBackup): string => backup.backupId.split('--')[2] ?? ''
  return [...backups].sort((a, b) => stamp(b).localeCompare(stamp(a)) || b.createdAt.localeCompare(a.createdAt))
}

/** Store.save for every store: the parts, then the manifest, through one session. */
export async function saveAll(store: Store, request: SaveRequest): Promise<SaveResult> {
  const session = store.begin(request)
  try {
    for (const file of request.partFiles) session.addPart(file)
    return await session.commit(request.manifestFile, request.partFiles)
  } catch (error) {
    await session.abandon()
    throw error
  }
}

/** Runs stored work one item at a time in the background; remembers the first failure and skips the rest. */
export class StoringQueue {
  private tail: Promise<void> = Promise.resolve()
  failure: unknown

  push(work: () => Promise<void>): void {
    if (this.failure !== undefined) throw this.failure
    this.tail = this.tail.then(async () => {
      if (this.failure !== undefined) return
      try {
        await work()
      } catch (error) {
        this.failure = error
      }
    })
  }

  /** Waits for everything queued; throws the first failure. */
  async drain(): Promise<void> {
    await this.tail
    if (this.failure !== undefined) throw this.failure
  }

  /** Waits for everything queued, whatever happened. */
  async settle(): Promise<void> {
    await this.tail
  }
}

/**
 * What a session stored of `files`, in that order (parts finish in any order when dumps run side by side).
 * A file the manifest lists but the session never stored is an error, checked before the manifest goes up.
 */
export function itemsInOrder(stored: ReadonlyMap<string, SaveResult['items'][number]>, files: string[]): SaveResult['items'] {
  return files.map(file => {
    const item = stored.get(file)
    if (!item) throw new Error(`${file} is listed in the manifest but was never stored`)
    return item
  })
}
