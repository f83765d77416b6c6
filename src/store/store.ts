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

export interface SaveRequest {
  backupId: string
  /** Directory holding the part files and the manifest. */
  dir: string
  partFiles: string[]
  manifestFile: string
  /** The manifest's incremental chain, if any: a store with expiry keeps every link as long as the last one. */
  incremental?: Manifest['incremental']
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
}

export interface Store {
  readonly kind: 'github' | 'local'
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
