import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Store, StoredBackup } from '../store/store.js'
import { NoBackupError, SelfhostBackupError } from '../kernel/errors.js'
import { formatBytes, type Logger } from '../kernel/log.js'
import { isIncrementPart, manifestFileName, type Manifest, type PartRecord } from '../kernel/manifest.js'
import { readManifest } from '../kernel/manifest-file.js'
import type { ManifestTrust } from '../kernel/manifest-signature.js'

export interface VerificationSettings {
  mode: 'backup' | 'check' | 'prune'
  verify: 'checksum' | 'drill'
  /** Percent; a part smaller than the previous backup's by more than this is flagged. */
  shrinkThreshold: number
  failOnShrink: boolean
  /** Seconds; mode: check passes only with a drill-verified backup younger than this. */
  maxAgeSeconds?: number
}

/** Where a stored manifest is read: temp space on the runner, and the keys its signature must be made with. */
export interface ManifestReading {
  workRoot: string
  trust: ManifestTrust
}

/** The stored manifest of a backup, signature verified, fetched into a temp dir that is removed again. */
export async function fetchManifest(store: Store, backup: StoredBackup, reading: ManifestReading): Promise<Manifest> {
  const dir = await mkdtemp(join(reading.workRoot, 'selfhost-backup-manifest-'))
  try {
    return await readManifest(await store.fetch(backup, manifestFileName(backup.backupId), dir), backup.backupId, reading.trust)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const contentBytes = (part: PartRecord): number => part.plaintext?.bytes ?? part.bytes

/**
 * Compares each part with the previous complete backup of the same app and host: a part that shrank
 * by more than the threshold often means data went missing on the server (a wiped volume, an empty dump).
 */
export async function compareWithPrevious(
  store: Store,
  current: { app: string; hostId: string; parts: PartRecord[] },
  settings: VerificationSettings,
  reading: ManifestReading,
  logger: Logger
): Promise<{ previous?: string; shrunk: string[] }> {
  // With fail-on-shrink the check is a gate, and a gate that could not look fails; otherwise it only warns.
  const cannotCheck = (why: string): { shrunk: string[] } => {
    if (settings.failOnShrink) return { shrunk: [`the size check could not run (fail-on-shrink is on): ${why}`] }
    logger.warning(`Size check skipped: ${why}`)
    return { shrunk: [] }
  }
  let previous: StoredBackup | undefined
  try {
    previous = (await store.list({ app: current.app, hostId: current.hostId }))[0]
  } catch (error) {
    return cannotCheck(`the previous backups could not be listed (${(error as Error).message}).`)
  }
  if (!previous) return { shrunk: [] }
  let before: Manifest
  try {
    before = await fetchManifest(store, previous, reading)
  } catch (error) {
    return cannotCheck((error as Error).message)
  }
  const shrunk: string[] = []
  for (const part of current.parts) {
    const old = before.parts.find(candidate => candidate.name === part.name)
    // An incremental tarball holds only changes: its size says nothing about the data's.
    if (!old || contentBytes(old) === 0 || isIncrementPart(part) || isIncrementPart(old)) continue
    const drop = (1 - contentBytes(part) / contentBytes(old)) * 100
    if (drop > settings.shrinkThreshold) {
      shrunk.push(`${part.name} shrank by ${drop.toFixed(0)}% (${formatBytes(contentBytes(old))} in ${previous.backupId} → ${formatBytes(contentBytes(part))})`)
    }
  }
  for (const line of shrunk) logger.warning(`Size check: ${line}`)
  return { previous: previous.backupId, shrunk }
}

/** mode: check — passes only when a drill-verified backup of this app and host is younger than max-age. */
export async function checkRecentVerifiedBackup(
  store: Store,
  target: { app: string; hostId: string },
  maxAgeSeconds: number,
  workRoot: string,
  trust: ManifestTrust,
  logger: Logger,
  now = new Date()
): Promise<Manifest> {
  const seen: string[] = []
  for (const backup of (await store.list(target)).slice(0, 20)) {
    let manifest: Manifest
    try {
      manifest = await fetchManifest(store, backup, { workRoot, trust })
    } catch (error) {
      // A forged or damaged backup neither passes the gate nor hides the genuine ones behind it.
      if (!(error instanceof SelfhostBackupError)) throw error
      logger.warning(`mode: check ignores ${backup.backupId}: ${error.message}`)
      seen.push(`${backup.backupId} (refused: not a verifiable backup)`)
      continue
    }
    const ageSeconds = (now.getTime() - Date.parse(manifest.finishedAt)) / 1000
    const verified = manifest.verification?.method === 'drill' && manifest.verification.ok
    if (verified && ageSeconds <= maxAgeSeconds) return manifest
    seen.push(`${backup.backupId} (${Math.round(ageSeconds / 3600)} h old, ${verified ? 'drill-verified' : 'not drill-verified'})`)
    if (ageSeconds > maxAgeSeconds) break
  }
  throw new NoBackupError(
    `No drill-verified ${target.app} backup of ${target.hostId} is younger than ${maxAgeSeconds} s.${seen.length > 0 ? ` Newest found: ${seen.join(', ')}.` : ' None was found.'}`,
    'run the backup (with verify: drill) before the gated job, or raise max-age.'
  )
}

/** The store's complete backups whose manifests verify, newest first; the others are named in one warning each. */
export async function listVerified(store: Store, filter: { app?: string; hostId?: string }, reading: ManifestReading, logger: Logger): Promise<StoredBackup[]> {
  const verified: StoredBackup[] = []
  for (const backup of await store.list(filter)) {
    try {
      await fetchManifest(store, backup, reading)
      verified.push(backup)
    } catch (error) {
      if (!(error instanceof SelfhostBackupError)) throw error
      logger.warning(`${backup.backupId} is not listed: ${error.message}`)
    }
  }
  return verified
}
