import { SelfhostBackupError } from '../kernel/errors.js'
import { formatBytes, type Logger } from '../kernel/log.js'
import type { Store, StoreUsage } from '../store/store.js'
import { runPrune } from './prune.js'
import type { RetentionPolicy } from './retention.js'
import { hasRetention } from './retention.js'
import type { ManifestReading } from './verification.js'

export interface BudgetSettings {
  bytes: number
  /** fail: stop before anything is uploaded; warn: say so and go on. */
  onExceed: 'fail' | 'warn'
}

export interface BudgetCheck {
  store: Store
  target: { app?: string; hostId: string }
  budget: BudgetSettings
  policy: RetentionPolicy
  reading: ManifestReading
  logger: Logger
}

/** The projection a budget check made, for the summary. */
export interface BudgetProjection {
  storedBytes: number
  freedBytes: number
  /** The new backup's expected size: the newest earlier backup of the same app and host. */
  expectedBytes: number
  projectedBytes: number
  budgetBytes: number
}

export class BudgetError extends SelfhostBackupError {}

/**
 * Before a backup uploads anything: what the store holds now, minus what retention will delete once this
 * backup is stored, plus this backup (expected to be as large as the last one of the same app and host)
 * must fit the budget. The store's own figures are used (for artifacts: every artifact of the repository,
 * backups or not, as GitHub counts them against the quota).
 */
export async function checkBudget(check: BudgetCheck): Promise<BudgetProjection> {
  const { store, budget, logger } = check
  if (!store.usage) throw new Error(`the ${store.kind} store does not report its usage`)
  const usage = await store.usage()
  if (!usage)
    throw new BudgetError(
      "storage-budget needs to list the repository's artifacts, and there is no token to do it with.",
      'set `github-token` (the default `${{ github.token }}` works with `permissions: actions: read`).'
    )
  const mine = usage.backups.filter(backup => backup.hostId === check.target.hostId && (!check.target.app || backup.app === check.target.app))
  const expectedBytes = mine[0]?.bytes ?? 0
  let freedBytes = 0
  if (check.target.app && hasRetention(check.policy)) {
    const pruned = await runPrune({
      store,
      target: { app: check.target.app, hostId: check.target.hostId },
      policy: check.policy,
      dryRun: true,
      upcoming: new Date(),
      reading: check.reading,
      logger: silent(logger)
    })
    const going = new Set(pruned.deleted)
    freedBytes = mine.filter(backup => going.has(backup.backupId)).reduce((sum, backup) => sum + backup.bytes, 0)
  }
  const projection = { storedBytes: usage.totalBytes, freedBytes, expectedBytes, projectedBytes: usage.totalBytes - freedBytes + expectedBytes, budgetBytes: budget.bytes }
  const text = `${formatBytes(projection.storedBytes)} stored${freedBytes > 0 ? `, ${formatBytes(freedBytes)} of it deleted by retention after this backup` : ''}, and this backup (about ${formatBytes(expectedBytes)}, the size of the last one${mine.length === 0 ? ': none yet, so unknown' : ''}) make ${formatBytes(projection.projectedBytes)}, ${projection.projectedBytes > budget.bytes ? 'more than' : 'within'} the storage budget of ${formatBytes(budget.bytes)}`
  if (projection.projectedBytes <= budget.bytes) {
    logger.info(`Storage budget: ${text}.`)
    return projection
  }
  const hint = 'delete old backups or other artifacts, keep fewer (keep-* inputs, retention-days), leave large paths out (exclude), raise storage-budget, or set on-budget: warn.'
  if (budget.onExceed === 'warn') {
    logger.warning(`Storage budget: ${text}; going on (on-budget: warn).`)
    return projection
  }
  throw new BudgetError(`Storage budget: ${text}. Nothing was uploaded.`, hint)
}

/** "412.3 MiB kept in 37 backups (and 2 other artifacts); the oldest expires 2026-12-30" */
export function usageLine(usage: StoreUsage): string {
  const others = usage.otherBytes > 0 ? ` (and ${formatBytes(usage.otherBytes)} of other artifacts)` : ''
  const oldest = usage.backups
    .map(backup => backup.expiresAt)
    .filter((date): date is string => Boolean(date))
    .sort()[0]
  return `${formatBytes(usage.totalBytes - usage.otherBytes)} kept in ${usage.backups.length} backups${others}${oldest ? `; the oldest kept backup expires ${oldest.slice(0, 10)}` : ''}`
}

/** The dry-run's own lines would read as if this retention ran now; only its warnings are worth passing on. */
function silent(logger: Logger): Logger {
  return { ...logger, info: () => undefined, group: (_title, work) => work() }
}
