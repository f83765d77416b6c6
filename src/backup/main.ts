import * as core from '@actions/core'
import { actionsLogger, actionTempRoot, maskSecretInputs, SSH_WORK_DIR_STATE, writeSummary } from '../action/actions-logger.js'
import { runBackup } from '../core/backup.js'
import { describeError } from '../core/errors.js'
import { backupSummary, failureSummary } from '../core/report.js'
import { createStore } from '../store/settings.js'
import { createTransport } from '../transport/settings.js'
import { tmpdir } from 'node:os'
import { parseBackupInputs } from './inputs.js'

/** The backup action: read inputs, run the core, publish outputs and the job summary. */
export async function run(): Promise<void> {
  const logger = actionsLogger()
  try {
    maskSecretInputs(logger)
    const inputs = parseBackupInputs(name => core.getInput(name))
    const workRoot = actionTempRoot() ?? tmpdir()
    const transport = createTransport(inputs.transport, logger, { tempRoot: workRoot, onWorkDir: dir => core.saveState(SSH_WORK_DIR_STATE, dir) })
    const store = createStore(inputs.store, process.env, logger)
    const result = await runBackup({ app: inputs.app, inputs: inputs.recipeInputs, recipients: inputs.recipients, transport, store, workRoot, logger })
    core.setOutput('backup-id', result.manifest.backupId)
    core.setOutput('manifest', result.manifestPath)
    core.setOutput('artifacts', JSON.stringify(result.saved.items))
    core.setOutput('bytes', String(result.bytes))
    await writeSummary(backupSummary(result))
  } catch (error) {
    const message = describeError(error)
    core.setFailed(message)
    await writeSummary(failureSummary('Backup', message)).catch(() => undefined)
  }
}
