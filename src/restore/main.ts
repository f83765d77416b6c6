import { getInput, saveState, setFailed, setOutput } from '../action/runner-commands.js'
import { tmpdir } from 'node:os'
import { actionsLogger, actionTempRoot, maskSecretInputs, SSH_WORK_DIR_STATE, writeSummary } from '../action/actions-logger.js'
import { describeError } from '../kernel/errors.js'
import { quietText } from '../kernel/log.js'
import { failureSummary, restoreSummary } from '../pipeline/report.js'
import { safetyCopyPaths } from '../pipeline/safety-copy.js'
import { runRestore } from '../pipeline/restore.js'
import { createStore } from '../store/settings.js'
import { createTransport } from '../transport/settings.js'
import { parseRestoreInputs } from '../inputs/restore.js'
import { appVersionOutput } from '../kernel/app-version.js'

/** The restore action: read inputs, run the core (verification first), publish outputs and the summary. */
export async function run(): Promise<void> {
  const logger = actionsLogger()
  try {
    maskSecretInputs(logger)
    const inputs = parseRestoreInputs(name => getInput(name))
    const workRoot = actionTempRoot() ?? tmpdir()
    const transport = createTransport(inputs.transport, logger, { tempRoot: workRoot, onWorkDir: dir => saveState(SSH_WORK_DIR_STATE, dir) })
    const store = createStore(inputs.store, process.env, logger)
    const result = await runRestore({ ...inputs, transport, store, workRoot, logger })
    setOutput('backup-id', result.backupId)
    // JSON: a path may hold a line break.
    setOutput('safety-copy', JSON.stringify(safetyCopyPaths(result.safetyCopy)))
    setOutput('safety-copy-databases', JSON.stringify(result.safetyCopy?.keptDatabases ?? []))
    setOutput('safety-copy-id', result.safetyCopy?.stamp ?? '')
    setOutput('restored', String(!result.dryRun))
    setOutput('app-version', appVersionOutput(result.manifest.application))
    await writeSummary(restoreSummary(result))
  } catch (error) {
    const message = describeError(error)
    // setFailed encodes line breaks but not other control characters a host's output may carry.
    setFailed(quietText(message))
    await writeSummary(failureSummary('Restore', message)).catch(() => undefined)
  }
}
