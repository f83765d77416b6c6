import type { Readable } from 'node:stream'
import type { Logger } from '../kernel/log.js'
import { parseBackupId, type Manifest } from '../kernel/manifest.js'

/**
 * A place backups live. Parts are saved before the manifest, so a listing (which only shows backups
 * whose manifest exists) never shows an incomplete one.
 */
export interface StoredBackup {
  backupId: string
  app: string
  hostId: string
  /**
   * When the store created the manifest (ISO 8601), by the store's clock, not the uploader's: the age a
   * listing orders by (see trustedNewestFirst).
   */
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
  /**
   * Queues a finished file (a part or one of its chunks); throws at once if an earlier one already failed
   * to store. The promise settles once this file is stored or failed, and never rejects: a failure is
   * thrown by the next addPart and by commit. The caller may delete the file once it settled.
   */
  addPart(file: string): Promise<void>
  /**
   * Waits for the parts, then stores the manifest: only now does the backup exist for a listing. `partFiles`
   * are the manifest's parts, in its order: each must have been stored, and the result lists them so.
   */
  commit(manifestFile: string, partFiles: string[]): Promise<SaveResult>
  /** The backup failed: waits for the queue and removes what was stored of it (best effort). */
  abandon(): Promise<void>
  /**
   * A store on the runner's own filesystems can take files where they are written: the directory to write
   * them in, under their final names, each handed over with addPart once complete. A file written there
   * is the store's from then on (the caller does not delete it; abandon removes it), so it is written once
   * and never staged in RUNNER_TEMP. Absent: files are staged in the backup's directory and copied or
   * uploaded from there.
   */
  writeDirectory?(): Promise<string>
}

export interface SaveResult {
  /** Where each file went: artifact name and id (and its web address), an object key, or a path. */
  items: { name: string; id: string; url?: string }[]
  /** When the store deletes the backup by itself (ISO 8601): artifacts' expiry. Absent for stores that keep it until it is deleted, or when unknown. */
  expiresAt?: string
  /** Human-readable place, e.g. "/var/backups/tabby--host--2026…" or "artifacts of run 42". */
  where: string
  /** A path on the runner where the stored manifest can be read afterwards (the backup action's `manifest` output). */
  manifestPath: string
}

export interface BackupFilter {
  app?: string
  hostId?: string
  /** Also look beyond a configured run-id (the earlier backups of an incremental chain come from other runs). */
  everywhere?: boolean
}

/** What a store is like, for the pipeline's warnings and hints: declared by each store, never branched on by kind. */
export interface StoreTraits {
  /** Anyone who can read the repository can download what is stored here: plaintext deserves a warning, secrets a refusal. */
  readableByOthers: boolean
  /** Appended to "backup not found" hints: how to make a backup of another run or place visible. */
  notFoundHint: string
  /** Appended to "a link of an incremental chain is missing" hints. */
  chainLinkHint: string
}

export interface Store {
  readonly kind: 'github' | 'local' | 's3'
  readonly traits: StoreTraits
  /** Checks, before a backup does any work, that the store can take it (bucket, credentials, Object Lock). */
  preflight?(): Promise<void>
  /** What the store holds against its quota (stores with one: artifacts); undefined when it cannot tell (no token). */
  usage?(): Promise<StoreUsage | undefined>
  begin(backup: BackupToStore): StoreSession
  /** begin, every part, commit: for a backup whose files are all ready. */
  save(request: SaveRequest): Promise<SaveResult>
  /** Complete backups only, newest first by createdAt, without those whose id is stamped after it (trustedNewestFirst). */
  list(filter?: BackupFilter): Promise<StoredBackup[]>
  /** Downloads one file of a backup (its manifest or a part) into `destDir`; returns the local path. */
  fetch(backup: StoredBackup, fileName: string, destDir: string): Promise<string>
  /**
   * Streams one stored file of a backup from byte `offset` to its end, nothing written on the runner (a
   * restore checks it block by block as it comes, and reads again from the last checked block when a
   * stream breaks). A file that is not there is a StoreError; a broken stream is an error on the stream.
   */
  read(backup: StoredBackup, fileName: string, offset: number): Promise<Readable>
  /**
   * Deletes a whole backup, its manifest first (it stops being listed before a part goes). What the store
   * must keep (a retention lock still running) or may not delete (a permission missing) is refused, with why.
   */
  delete(backup: StoredBackup): Promise<DeleteOutcome>
}

export type DeleteOutcome = { deleted: true } | { deleted: false; refused: string }

/** What a store holds, as its provider counts it against a quota. */
export interface StoreUsage {
  /** Everything stored, backups or not. */
  totalBytes: number
  /** Of that, what is not part of any backup (other artifacts of the repository). */
  otherBytes: number
  /** Newest first; `expiresAt` when the store expires things by itself (artifacts: their earliest). */
  backups: { backupId: string; app: string; hostId: string; bytes: number; expiresAt?: string }[]
}

export function matchesFilter(backup: Pick<StoredBackup, 'app' | 'hostId'>, filter: BackupFilter = {}): boolean {
  return (!filter.app || backup.app === filter.app) && (!filter.hostId || backup.hostId === filter.hostId)
}

/**
 * How far a backup id's stamp may run ahead of the store's own creation time before the id counts as
 * forged. The stamp comes from the runner's clock when the backup starts, the creation time from
 * GitHub's (or the store disk's) clock when the manifest is stored, later; runner clocks drift by
 * seconds, so ten minutes forgives any honest clock while a stamp further ahead could only be a backup
 * posing as newer than the ones that come after it.
 */
export const STAMP_CLOCK_SKEW_MS = 10 * 60 * 1000

/** A backup id stamp (20261123T020000Z) as epoch milliseconds. */
export function stampTime(stamp: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp)
  return match ? Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`) : Number.NaN
}

/** Why a listed backup cannot be trusted to be as old as it says, or undefined. */
function forgedStampReason(backup: StoredBackup): string | undefined {
  const created = Date.parse(backup.createdAt)
  const stamp = stampTime(parseBackupId(backup.backupId)?.stamp ?? '')
  if (Number.isNaN(created)) return 'the store does not say when it was created'
  if (Number.isNaN(stamp)) return 'its id carries no valid time stamp'
  if (stamp > created + STAMP_CLOCK_SKEW_MS) return `its id is stamped ${new Date(stamp).toISOString()}, later than the store created it (${new Date(created).toISOString()})`
  return undefined
}

/** GitHub's artifact ids only grow, so between two artifacts made in the same millisecond the larger is newer. */
function artifactIdOf(backup: StoredBackup): number | undefined {
  const id = backup.location.manifestArtifactId
  return typeof id === 'number' ? id : undefined
}

/**
 * What every store's `list` returns. The age of a backup is the store's own creation time: the id's
 * stamp is written by whoever uploads it, so ordering by it would let one stamped 9999-12-31 stay the
 * newest forever. A backup whose stamp is later than its creation (beyond clock skew) is left out with
 * a warning; `warned` remembers whom a store already warned about, so repeated listings say it once.
 */
export function trustedNewestFirst(backups: StoredBackup[], logger: Logger, warned: Set<string> = new Set()): StoredBackup[] {
  const trusted = backups.filter(backup => {
    const reason = forgedStampReason(backup)
    if (reason === undefined) return true
    // Backup ids match a strict pattern (parseBackupId), so naming one in a log line is safe.
    if (!warned.has(backup.backupId)) {
      warned.add(backup.backupId)
      logger.warning(
        `Left the backup ${backup.backupId} out of the listing: ${reason}. Only the uploader writes the stamp, so a backup stamped ahead of its creation could pose as the newest one; it is not restored, checked or used as an incremental base. If it is genuine, the clock of the runner that made it was wrong: take a new backup.`
      )
    }
    return false
  })
  return trusted.sort((a, b) => {
    const byCreation = Date.parse(b.createdAt) - Date.parse(a.createdAt)
    if (byCreation !== 0) return byCreation
    const [idA, idB] = [artifactIdOf(a), artifactIdOf(b)]
    if (idA !== undefined && idB !== undefined && idA !== idB) return idB - idA
    return a.backupId < b.backupId ? 1 : a.backupId > b.backupId ? -1 : 0
  })
}

/** Store.save for every store: the parts, then the manifest, through one session. */
export async function saveAll(store: Store, request: SaveRequest): Promise<SaveResult> {
  const session = store.begin(request)
  try {
    for (const file of request.partFiles) void session.addPart(file)
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

  /** Queues `work`; the promise settles when it ran (or was skipped after an earlier failure), and never rejects. */
  push(work: () => Promise<void>): Promise<void> {
    if (this.failure !== undefined) throw this.failure
    this.tail = this.tail.then(async () => {
      if (this.failure !== undefined) return
      try {
        await work()
      } catch (error) {
        this.failure = error
      }
    })
    return this.tail
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
