import { mapWithLimit } from '../kernel/concurrency.js'
import { SelfhostBackupError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import type { Manifest } from '../kernel/manifest.js'
import type { Store, StoredBackup } from '../store/store.js'
import { decideRetention, RETENTION_RULES, type RetentionPolicy } from './retention.js'
import { fetchManifest, type ManifestReading } from './verification.js'

export interface PruneRequest {
  store: Store
  /** Retention is per application and host: the backups of other hosts in the same store are not looked at. */
  target: { app: string; hostId: string }
  policy: RetentionPolicy
  dryRun: boolean
  /** A backup about to be made at this time: counted by the rules (it takes its day, week…) but not a stored one. */
  upcoming?: Date
  reading: ManifestReading
  logger: Logger
}

/** The id the upcoming backup goes by in a dry run; no real id can look like it. */
const UPCOMING = '(this backup)'

export interface PruneResult {
  /** Newest first, each with why it stays (the policy's rules, the newest backup, a chain that needs it). */
  kept: { backupId: string; reasons: string[] }[]
  /** Deleted now (or, with dryRun, what would be). */
  deleted: string[]
  /** Due for deletion, but the store refused: a retention lock still running, a permission missing. */
  refused: { backupId: string; reason: string }[]
  /** Listed, but their manifest does not verify: not provably ours, so never touched. */
  leftAlone: { backupId: string; reason: string }[]
  dryRun: boolean
}

/** Store calls (manifest downloads, deletions) in flight at once: round trips overlap, the store is not flooded. */
const STORE_CALLS_AT_ONCE = 8

const describePolicy = (policy: RetentionPolicy): string =>
  RETENTION_RULES.filter(rule => policy[rule] > 0)
    .map(rule => `keep-${rule} ${policy[rule]}`)
    .join(', ')

/**
 * Applies a retention policy to one app's and host's backups in a store. Only backups whose signed
 * manifest verifies are candidates, and their age is the time in that manifest (an id or a store date
 * can be made up; a signature cannot). Whatever the policy says, the newest backup, the newest
 * drill-verified one and every backup an incremental chain of a kept one builds on stay.
 */
export async function runPrune(request: PruneRequest): Promise<PruneResult> {
  const { store, target, policy, logger } = request
  const manifests = new Map<string, { backup: StoredBackup; manifest: Manifest }>()
  const leftAlone: PruneResult['leftAlone'] = []
  // Every manifest is read and its signature checked: a year of nightly backups is hundreds of small
  // downloads, so several at a time (each is a round trip to the store).
  const read = await mapWithLimit(await store.list({ ...target, everywhere: true }), STORE_CALLS_AT_ONCE, async backup => {
    try {
      return { backup, manifest: await fetchManifest(store, backup, request.reading) }
    } catch (error) {
      if (!(error instanceof SelfhostBackupError)) throw error
      return { backup, refused: error.message }
    }
  })
  for (const { backup, manifest, refused } of read) {
    if (manifest) manifests.set(backup.backupId, { backup, manifest })
    else leftAlone.push({ backupId: backup.backupId, reason: refused ?? 'its manifest could not be read' })
  }
  const candidates = [...manifests.values()].map(({ manifest }) => ({ backupId: manifest.backupId, takenAt: new Date(manifest.startedAt) }))
  if (request.upcoming) candidates.push({ backupId: UPCOMING, takenAt: request.upcoming })
  const takenAt = new Map(candidates.map(candidate => [candidate.backupId, candidate.takenAt.getTime()]))
  const verdict = decideRetention(candidates, policy)
  const reasons = new Map(verdict.kept.map(kept => [kept.backupId, [...kept.reasons]]))
  const protect = (backupId: string | undefined, reason: string): void => {
    if (backupId && takenAt.has(backupId)) reasons.set(backupId, [...(reasons.get(backupId) ?? []), reason])
  }
  const newestFirst = [...verdict.kept.map(kept => kept.backupId), ...verdict.forgotten].sort((a, b) => takenAt.get(b)! - takenAt.get(a)!)
  protect(newestFirst[0], 'the newest backup')
  protect(
    newestFirst.find(id => {
      const verification = manifests.get(id)?.manifest.verification
      return verification?.method === 'drill' && verification.ok
    }),
    'the newest drill-verified backup'
  )
  // A chain lists every backup it builds on, the full one first: one pass over the kept ones covers it.
  for (const backupId of [...reasons.keys()]) for (const link of manifests.get(backupId)?.manifest.incremental?.chain ?? []) protect(link, `needed by ${backupId}`)

  const doomed = newestFirst.filter(id => !reasons.has(id) && id !== UPCOMING)
  const deleted: string[] = []
  const refused: PruneResult['refused'] = []
  logger.info(
    `Retention (${describePolicy(policy)}) for ${target.app} on ${target.hostId}: ${manifests.size} backups, ${reasons.size} kept, ${doomed.length} to delete${request.dryRun ? ' (dry-run: nothing is deleted)' : ''}`
  )
  if (request.dryRun) {
    for (const backupId of doomed) logger.info(`would delete ${backupId}`)
    deleted.push(...doomed)
  } else {
    const outcomes = await mapWithLimit(doomed, STORE_CALLS_AT_ONCE, backupId => store.delete(manifests.get(backupId)!.backup))
    outcomes.forEach((outcome, index) => {
      const backupId = doomed[index]
      if (outcome.deleted) {
        logger.info(`deleted ${backupId}`)
        deleted.push(backupId)
      } else {
        logger.info(`kept ${backupId}: ${outcome.refused}`)
        refused.push({ backupId, reason: outcome.refused })
      }
    })
  }
  for (const skipped of leftAlone) logger.warning(`Retention leaves ${skipped.backupId} alone: ${skipped.reason}`)
  const kept = newestFirst.filter(id => reasons.has(id) && id !== UPCOMING).map(backupId => ({ backupId, reasons: reasons.get(backupId)! }))
  return { kept, deleted, refused, leftAlone, dryRun: request.dryRun }
}
