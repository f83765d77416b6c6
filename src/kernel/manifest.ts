import type { ManifestSignature } from './manifest-signature.js'
import type { AppVersion } from './app-version.js'
import { TOOL_NAME, TOOL_VERSION } from './version.js'

export const MANIFEST_FORMAT = 'selfhost-backup/1'
export const MANIFEST_SUFFIX = '.manifest.json'
/** A backup that failed verification keeps its manifest under this name: kept for inspection, never listed or restored. */
export const UNVERIFIED_SUFFIX = '.unverified-manifest.json'

export type PartKind = 'sqlite' | 'tar' | 'sql-dump'
export type Compression = 'zstd' | 'gzip' | 'none'

export interface PartRecord {
  name: string
  file: string
  kind: PartKind
  compression: Compression
  bytes: number
  sha256: string
  durationMs: number
  /** Row count per table, for database parts; checked again after a restore. */
  tables?: Record<string, number>
  /** Recipe-specific facts a restore needs (e.g. which paths a tarball holds). */
  details?: Record<string, unknown>
  warnings?: string[]
  /** Set when the stored file is age ciphertext: bytes/sha256 above are the ciphertext's, these the content's. */
  encryption?: 'age'
  plaintext?: { bytes: number; sha256: string }
  /** A tarball made with GNU tar's listed-incremental snapshot: level 0 holds everything, level n the changes since level n-1. */
  incremental?: { level: number }
  /**
   * Set when the stored content was cut into chunks as it streamed (chunk-size): the stored content is
   * the chunks' concatenation in this order, and bytes/sha256 above are the whole's. Absent when the part
   * fits in one chunk: then `file` itself is stored.
   */
  chunks?: ChunkRecord[]
  /**
   * Set when the stored files were hashed block by block as they were written: each stored file (each
   * chunk, or `file` itself) is cut into blocks of this many bytes, the last one shorter, and the sha256
   * of each block is listed in order (`blocks` of the chunk, or of the part when it has no chunks). A
   * restore checks every block in memory before its bytes go on, so it streams a stored file straight
   * to the host instead of downloading it whole to check it first. Absent in backups made before.
   */
  blockSize?: number
  blocks?: string[]
}

export interface ChunkRecord {
  file: string
  bytes: number
  sha256: string
  /** The sha256 of each of the chunk's blocks (see PartRecord.blockSize). */
  blocks?: string[]
}

/** The block size a backup hashes its stored files in (PartRecord.blockSize), and what a manifest may say. */
export const BLOCK_SIZE = 4 * 1024 * 1024
export const BLOCK_SIZE_RANGE = { min: 64 * 1024, max: 64 * 1024 * 1024 }

/** How many blocks of `blockSize` a stored file of `bytes` is hashed in: an empty file has none. */
export function blockCount(bytes: number, blockSize: number): number {
  return Math.ceil(bytes / blockSize)
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT
  backupId: string
  app: string
  host: string
  hostId: string
  startedAt: string
  finishedAt: string
  tool: { name: string; version: string }
  /** The application's version the data belongs to, as the host ran it at backup time. */
  application?: AppVersion
  /** What the install kept that this backup does not hold, as the recipe found it (one sentence each). */
  notCovered?: string[]
  /** Non-secret recipe options in effect, so a restore knows e.g. which paths were excluded. */
  options: Record<string, unknown>
  parts: PartRecord[]
  /** How the backup was proven restorable; a backup whose drill failed is stored under UNVERIFIED_SUFFIX. */
  verification?: {
    method: 'checksum' | 'drill'
    ok: boolean
    parts?: { name: string; ok: boolean; detail: string }[]
    sizeCheck?: { previous?: string; shrunk: string[] }
  }
  /** Fingerprints of the age recipients the parts are encrypted to; absent for plaintext backups. */
  encryption?: { format: 'age'; recipients: string[] }
  /** Set when taken with incremental: true; `chain` lists the backups this one builds on, full backup first. */
  incremental?: { level: number; chain: string[]; baseStartedAt: string; fullEveryDays: number }
  /** Over the manifest's canonical text without this field (see canonicalText); written last. */
  signature?: ManifestSignature
}

/** A tarball holding only the changes since the previous backup of its chain. */
export const isIncrementPart = (part: PartRecord): boolean => (part.incremental?.level ?? 0) > 0

export function manifestFileName(backupId: string): string {
  return `${backupId}${MANIFEST_SUFFIX}`
}

export function partFileName(backupId: string, partName: string, extension: string): string {
  return `${backupId}.${partName}${extension}`
}

/** The n-th chunk (from 0) of a part's stored file: `<file>.chunk-0001`, numbered from 1. */
export function chunkFileName(file: string, index: number): string {
  return `${file}.chunk-${String(index + 1).padStart(4, '0')}`
}

/** The files a part is stored as, in order: its chunks, or the one file. */
export function storedFilesOf(part: PartRecord): string[] {
  return part.chunks ? part.chunks.map(chunk => chunk.file) : [part.file]
}

/** app--host-id--stamp[-suffix]; groups: app, host id, stamp. */
const BACKUP_ID = String.raw`([a-z0-9]+)--([a-z0-9.-]+)--(\d{8}T\d{6}Z)(?:-[a-z0-9]+)?`
const BACKUP_ID_PATTERN = new RegExp(`^${BACKUP_ID}$`)
const FILE_OF_BACKUP_PATTERN = new RegExp(`^(${BACKUP_ID})\\.`)

/** UTC to the second, without separators (20261206T031500Z): the time in backup ids and a restore's stamp. */
export function compactTimestamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
}

export function newBackupId(app: string, hostId: string, at: Date): string {
  const suffix = Math.random().toString(36).slice(2, 6)
  return `${app}--${hostId}--${compactTimestamp(at)}-${suffix}`
}

/** The backup id a stored file name begins with (`<id>.<part>…`, `<id>.manifest.json`), or undefined. */
export function backupIdOfFile(file: string): string | undefined {
  return FILE_OF_BACKUP_PATTERN.exec(file)?.[1]
}

export function parseBackupId(backupId: string): { app: string; hostId: string; stamp: string } | null {
  const match = BACKUP_ID_PATTERN.exec(backupId)
  return match ? { app: match[1], hostId: match[2], stamp: match[3] } : null
}

/** What a backup knows of itself when it is done; the format and the tool are filled in here, for every writer. */
export type ManifestFields = Pick<Manifest, 'backupId' | 'host' | 'hostId' | 'startedAt' | 'finishedAt' | 'options' | 'parts'> &
  Partial<Pick<Manifest, 'verification' | 'encryption' | 'incremental' | 'application' | 'notCovered'>> & { app: string }

export function assembleManifest(fields: ManifestFields): Manifest {
  const { backupId, app, host, hostId, startedAt, finishedAt, options, parts, ...rest } = fields
  return { format: MANIFEST_FORMAT, backupId, app, host, hostId, startedAt, finishedAt, tool: { name: TOOL_NAME, version: TOOL_VERSION }, options, parts, ...rest }
}
