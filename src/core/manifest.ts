import { readFile, writeFile, rename } from 'node:fs/promises'
import { VerificationError } from './errors.js'

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
}

/** A tarball holding only the changes since the previous backup of its chain. */
export const isIncrementPart = (part: PartRecord): boolean => (part.incremental?.level ?? 0) > 0

export function manifestFileName(backupId: string): string {
  return `${backupId}${MANIFEST_SUFFIX}`
}

export function partFileName(backupId: string, partName: string, extension: string): string {
  return `${backupId}.${partName}${extension}`
}

const BACKUP_ID_PATTERN = /^([a-z0-9]+)--([a-z0-9.-]+)--(\d{8}T\d{6}Z)(?:-[a-z0-9]+)?$/

export function newBackupId(app: string, hostId: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const suffix = Math.random().toString(36).slice(2, 6)
  return `${app}--${hostId}--${stamp}-${suffix}`
}

export function parseBackupId(backupId: string): { app: string; hostId: string; stamp: string } | null {
  const match = BACKUP_ID_PATTERN.exec(backupId)
  return match ? { app: match[1], hostId: match[2], stamp: match[3] } : null
}

/** Written to a temp name and renamed, so a half-written manifest never exists under its real name. */
export async function writeManifest(path: string, manifest: Manifest): Promise<void> {
  // 0600 like the parts: it names the host, paths and tables, which are nobody else's business on the runner.
  await writeFile(`${path}.partial`, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 })
  await rename(`${path}.partial`, path)
}

export async function readManifest(path: string, expectedBackupId?: string): Promise<Manifest> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new VerificationError(`The manifest ${path} is not valid JSON.`, 'the stored backup is damaged; pick another backup-id.', { cause: error })
  }
  return validateManifest(parsed, expectedBackupId)
}

export function validateManifest(value: unknown, expectedBackupId?: string): Manifest {
  const problems: string[] = []
  const manifest = value as Manifest
  if (typeof value !== 'object' || value === null) problems.push('it is not an object')
  else {
    if (manifest.format !== MANIFEST_FORMAT) problems.push(`format is ${JSON.stringify(manifest.format)}, expected ${MANIFEST_FORMAT}`)
    if (typeof manifest.backupId !== 'string' || !parseBackupId(manifest.backupId)) problems.push('backupId is missing or malformed')
    if (expectedBackupId && manifest.backupId !== expectedBackupId) problems.push(`it describes ${manifest.backupId}, not ${expectedBackupId}`)
    if (typeof manifest.app !== 'string') problems.push('app is missing')
    if (!Array.isArray(manifest.parts) || manifest.parts.length === 0) problems.push('it lists no parts')
    else {
      for (const part of manifest.parts) {
        if (typeof part.file !== 'string' || !part.file.startsWith(`${manifest.backupId}.`) || /[/\\]/.test(part.file)) problems.push(`part ${part.name}: bad file name`)
        if (typeof part.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(part.sha256)) problems.push(`part ${part.name}: bad sha256`)
        if (!Number.isSafeInteger(part.bytes) || part.bytes < 0) problems.push(`part ${part.name}: bad size`)
      }
    }
    if (manifest.incremental !== undefined) problems.push(...chainProblems(manifest))
  }
  if (problems.length > 0) {
    throw new VerificationError(`The manifest is not valid: ${problems.join('; ')}.`, 'the stored backup is damaged or was edited; pick another backup-id.')
  }
  return manifest
}

function chainProblems(manifest: Manifest): string[] {
  const chain = manifest.incremental?.chain
  if (!Array.isArray(chain) || manifest.incremental?.level !== chain.length) return ['incremental: the chain does not match its level']
  const own = parseBackupId(manifest.backupId)
  const foreign = chain.filter(id => {
    const link = typeof id === 'string' ? parseBackupId(id) : null
    return !link || link.app !== own?.app || link.hostId !== own?.hostId || link.stamp > own.stamp
  })
  return foreign.length > 0 ? [`incremental: ${foreign.length} chain entries are not earlier backups of the same app and host`] : []
}
