import type { BackupInputs } from '../backup/inputs.js'
import type { Store } from '../store/store.js'
import type { Transport } from '../transport/transport.js'
import { runBackup, type BackupResult } from './backup.js'
import { InputError } from './errors.js'
import type { Logger } from './log.js'
import { loadManifestKeys } from './manifest-keys.js'
import type { Manifest } from './manifest.js'
import { checkRecentVerifiedBackup } from './verification.js'

export type BackupOutcome = { mode: 'backup'; result: BackupResult } | { mode: 'check'; manifest: Manifest }

/** What the backup action and `selfhost-backup backup` do: a backup, or with mode: check only the gate's question. */
export async function runBackupCommand(inputs: BackupInputs, deps: { transport: Transport; store: Store; workRoot: string; logger: Logger }): Promise<BackupOutcome> {
  const { verification } = inputs
  const keys = await loadManifestKeys(inputs.signing)
  if (verification.mode === 'check') {
    if (inputs.app === 'auto') throw new InputError('app', 'must name the application with mode: check (nothing on the host is inspected).', 'set app, e.g. app: tabby.')
    const manifest = await checkRecentVerifiedBackup(deps.store, { app: inputs.app, hostId: deps.transport.hostId }, verification.maxAgeSeconds ?? 0, deps.workRoot, keys.trust, deps.logger)
    deps.logger.info(`mode: check passed: ${manifest.backupId} finished ${manifest.finishedAt} and passed its restore drill.`)
    return { mode: 'check', manifest }
  }
  const result = await runBackup({ app: inputs.app, inputs: inputs.recipeInputs, recipients: inputs.recipients, verification, lockTimeoutSeconds: inputs.lockTimeoutSeconds, incremental: inputs.incremental, allowUnencryptedSecrets: inputs.allowUnencryptedSecrets, keys, ...deps })
  return { mode: 'backup', result }
}
