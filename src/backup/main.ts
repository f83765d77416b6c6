import * as core from '@actions/core'
import { tmpdir } from 'node:os'
import { actionsLogger, actionTempRoot, maskSecretInputs, SSH_WORK_DIR_STATE, writeSummary } from '../action/actions-logger.js'
import { UnverifiedBackupError, type BackupResult } from '../pipeline/backup.js'
import { runBackupCommand } from '../pipeline/backup-command.js'
import { describeError } from '../kernel/errors.js'
import { quietText } from '../kernel/log.js'
import { actionSummaryContext, backupOutcomeSummary, backupSummary, failureSummary } from '../pipeline/report.js'
import { createStore } from '../store/settings.js'
import { createTransport } from '../transport/settings.js'
import { parseBackupInputs } from '../inputs/backup.js'
import { appVersionOutput } from '../kernel/app-version.js'

function publish(result: BackupResult): void {
  core.setOutput('backup-id', result.manifest.backupId)
  core.setOutput('manifest', result.manifestPath)
  core.setOutput('artifacts', JSON.stringify(result.saved.items))
  core.setOutput('bytes', String(result.bytes))
  core.setOutput('encrypted', String(result.manifest.encryption !== undefined))
  core.setOutput('expires-at', result.saved.expiresAt ?? '')
  core.setOutput('verified', String(result.verified))
  core.setOutput('app-version', appVersionOutput(result.manifest.application))
}

/** The backup action: read inputs, run the core, publish outputs and the job summary. */
export async function run(): Promise<void> {
  const logger = actionsLogger()
  try {
    maskSecretInputs(logger)
    const inputs = parseBackupInputs(name => core.getInput(name))
    const workRoot = actionTempRoot() ?? tmpdir()
    const transport = createTransport(inputs.transport, logger, { tempRoot: workRoot, onWorkDir: dir => core.saveState(SSH_WORK_DIR_STATE, dir) })
    const store = createStore(inputs.store, process.env, logger)
    const outcome = await runBackupCommand(inputs, { transport, store, workRoot, logger })
    if (outcome.mode === 'check') {
      core.setOutput('backup-id', outcome.manifest.backupId)
      core.setOutput('verified', 'true')
      core.setOutput('encrypted', String(outcome.manifest.encryption !== undefined))
      core.setOutput('app-version', appVersionOutput(outcome.manifest.application))
    } else {
      if (outcome.pruned) core.setOutput('pruned', JSON.stringify(outcome.pruned.deleted))
      if (outcome.mode === 'backup') publish(outcome.result)
    }
    const context = actionSummaryContext(process.env, { transport: inputs.transport.kind, store: inputs.store.kind, signingKey: inputs.signing.privateKeyInput === 'signing-key' })
    await writeSummary(backupOutcomeSummary(outcome, context))
  } catch (error) {
    if (error instanceof UnverifiedBackupError) publish(error.result)
    else core.setOutput('verified', 'false')
    const message = describeError(error)
    // setFailed encodes line breaks but not other control characters a host's output may carry.
    core.setFailed(quietText(message))
    await writeSummary(error instanceof UnverifiedBackupError ? backupSummary(error.result) + failureSummary('Backup', message) : failureSummary('Backup', message)).catch(() => undefined)
  }
}
