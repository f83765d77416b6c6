import { getInput, saveState, setFailed, setOutput } from '../action/runner-commands.js'
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
  setOutput('backup-id', result.manifest.backupId)
  setOutput('manifest', result.manifestPath)
  setOutput('artifacts', JSON.stringify(result.saved.items))
  setOutput('bytes', String(result.bytes))
  setOutput('encrypted', String(result.manifest.encryption !== undefined))
  setOutput('expires-at', result.saved.expiresAt ?? '')
  setOutput('verified', String(result.verified))
  setOutput('app-version', appVersionOutput(result.manifest.application))
}

/** The backup action: read inputs, run the core, publish outputs and the job summary. */
export async function run(): Promise<void> {
  const logger = actionsLogger()
  try {
    maskSecretInputs(logger)
    const inputs = parseBackupInputs(name => getInput(name))
    const workRoot = actionTempRoot() ?? tmpdir()
    const transport = createTransport(inputs.transport, logger, { tempRoot: workRoot, onWorkDir: dir => saveState(SSH_WORK_DIR_STATE, dir) })
    const store = createStore(inputs.store, process.env, logger)
    const outcome = await runBackupCommand(inputs, { transport, store, workRoot, logger })
    if (outcome.mode === 'check') {
      setOutput('backup-id', outcome.manifest.backupId)
      setOutput('verified', 'true')
      setOutput('encrypted', String(outcome.manifest.encryption !== undefined))
      setOutput('app-version', appVersionOutput(outcome.manifest.application))
    } else {
      if (outcome.pruned) setOutput('pruned', JSON.stringify(outcome.pruned.deleted))
      if (outcome.mode === 'backup') publish(outcome.result)
    }
    const context = actionSummaryContext(process.env, { transport: inputs.transport.kind, store: inputs.store.kind, signingKey: inputs.signing.privateKeyInput === 'signing-key' })
    await writeSummary(backupOutcomeSummary(outcome, context))
  } catch (error) {
    if (error instanceof UnverifiedBackupError) publish(error.result)
    else setOutput('verified', 'false')
    const message = describeError(error)
    // setFailed encodes line breaks but not other control characters a host's output may carry.
    setFailed(quietText(message))
    await writeSummary(error instanceof UnverifiedBackupError ? backupSummary(error.result) + failureSummary('Backup', message) : failureSummary('Backup', message)).catch(() => undefined)
  }
}
