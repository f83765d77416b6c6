import type { Store } from '../store/store.js'
import type { Transport } from '../transport/transport.js'
import { runBackup, type BackupResult } from './backup.js'
import { InputError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import { loadManifestKeys } from '../kernel/manifest-keys.js'
import type { Manifest } from '../kernel/manifest.js'
import type { SigningSettings } from '../kernel/manifest-keys.js'
import type { RecipeChoice } from '../recipes/registry.js'
import type { IncrementalSettings } from './incremental.js'
import { checkRecentVerifiedBackup, type VerificationSettings } from './verification.js'
import { runPrune, type PruneResult } from './prune.js'
import { checkBudget, usageLine, type BudgetSettings } from './budget.js'
import { hasRetention, type RetentionPolicy } from './retention.js'

/** What a backup run is asked to do, as the inputs (action or CLI) describe it. */
export interface BackupCommand {
  app: string
  /** The app's recipe with its parsed options, or with `app: auto` every candidate. */
  recipes: RecipeChoice[]
  /** age recipients; empty: the parts are stored as plaintext. */
  recipients: string[]
  verification: VerificationSettings
  incremental: IncrementalSettings
  lockTimeoutSeconds: number
  /** Without encryption, store the app's secret files (e.g. SeaTable's .env) as plain artifacts anyway. */
  allowUnencryptedSecrets: boolean
  /** The key that signs the manifest (and verifies earlier ones), and older keys still trusted. */
  signing: SigningSettings
  /** Stored parts are cut into chunks of at most this many bytes (chunk-size). */
  chunkSize: number
  /** keep-* rules applied after a verified backup (or alone, with mode: prune); dryRun only reports. */
  retention: { policy: RetentionPolicy; dryRun: boolean }
  /** storage-budget: checked before anything is uploaded. */
  budget?: BudgetSettings
  /** strict: refuse to back up an install with parts the backup would not hold. */
  coverage: 'report' | 'strict'
}

export type BackupOutcome = { mode: 'backup'; result: BackupResult; pruned?: PruneResult; storage?: string } | { mode: 'check'; manifest: Manifest } | { mode: 'prune'; pruned: PruneResult }

/** What the backup action and `selfhost-backup backup` do: a backup, or with mode: check only the gate's question. */
export async function runBackupCommand(inputs: BackupCommand, deps: { transport: Transport; store: Store; workRoot: string; logger: Logger }): Promise<BackupOutcome> {
  const { verification } = inputs
  const keys = await loadManifestKeys(inputs.signing)
  if (verification.mode === 'check') {
    if (inputs.app === 'auto') throw new InputError('app', 'must name the application with mode: check (nothing on the host is inspected).', 'set app, e.g. app: tabby.')
    const manifest = await checkRecentVerifiedBackup(deps.store, { app: inputs.app, hostId: deps.transport.hostId }, verification.maxAgeSeconds ?? 0, deps.workRoot, keys.trust, deps.logger)
    deps.logger.info(`mode: check passed: ${manifest.backupId} finished ${manifest.finishedAt} and passed its restore drill.`)
    return { mode: 'check', manifest }
  }
  const reading = { workRoot: deps.workRoot, trust: keys.trust }
  const prune = (target: { app: string; hostId: string }): Promise<PruneResult> =>
    deps.logger.group('Retention', () => runPrune({ store: deps.store, target, policy: inputs.retention.policy, dryRun: inputs.retention.dryRun, reading, logger: deps.logger }))
  if (verification.mode === 'prune') {
    if (inputs.app === 'auto') throw new InputError('app', 'must name the application with mode: prune (nothing on the host is inspected).', 'set app, e.g. app: tabby.')
    return { mode: 'prune', pruned: await prune({ app: inputs.app, hostId: deps.transport.hostId }) }
  }
  if (inputs.budget) {
    const app = inputs.app === 'auto' ? undefined : inputs.app
    await deps.logger.group('Storage budget', () =>
      checkBudget({ store: deps.store, target: { app, hostId: deps.transport.hostId }, budget: inputs.budget!, policy: inputs.retention.policy, reading, logger: deps.logger })
    )
  }
  const result = await runBackup({
    recipes: inputs.recipes,
    recipients: inputs.recipients,
    verification,
    lockTimeoutSeconds: inputs.lockTimeoutSeconds,
    incremental: inputs.incremental,
    allowUnencryptedSecrets: inputs.allowUnencryptedSecrets,
    chunkSize: inputs.chunkSize,
    coverage: inputs.coverage,
    keys,
    ...deps
  })
  // The backup is stored and verified whatever retention does next: a failure here is a warning, not a failed backup.
  const pruned = hasRetention(inputs.retention.policy)
    ? await prune({ app: result.manifest.app, hostId: result.manifest.hostId }).catch((error: unknown) => {
        deps.logger.warning(`The backup is stored, but applying retention failed: ${(error as Error).message}`)
        return undefined
      })
    : undefined
  return { mode: 'backup', result, pruned, storage: await storageLine(deps.store, deps.logger) }
}

/** What a store with a quota holds now, for the summary; a store that cannot tell (no token) gets a warning instead. */
async function storageLine(store: Store, logger: Logger): Promise<string | undefined> {
  if (!store.usage) return undefined
  try {
    const usage = await store.usage()
    if (!usage) return undefined
    const line = usageLine(usage)
    logger.info(`Storage: ${line}`)
    return line
  } catch (error) {
    logger.warning(`Could not add up the stored backups: ${(error as Error).message}`)
    return undefined
  }
}
