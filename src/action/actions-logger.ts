import * as core from '@actions/core'
import { INPUTS } from '../core/input-definitions.js'
import type { Logger } from '../core/log.js'

/** The core's logger on top of @actions/core: groups fold in the log, masks are the runner's. */
export function actionsLogger(): Logger {
  return {
    info: message => core.info(message),
    warning: message => core.warning(message),
    debug: message => core.debug(message),
    group: (title, work) => core.group(title, work),
    mask: secret => {
      // The runner masks line by line, so a multi-line key is registered one line at a time too.
      for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 4) core.setSecret(line.trim())
      core.setSecret(secret)
    }
  }
}

/** Every input marked secret is masked before any input is parsed, so no error can echo one. */
export function maskSecretInputs(logger: Logger): void {
  for (const input of INPUTS) {
    if (!input.secret) continue
    const value = core.getInput(input.name)
    if (value) logger.mask(value)
  }
}

export const SSH_WORK_DIR_STATE = 'ssh-work-dir'

export function actionTempRoot(): string | undefined {
  return process.env.RUNNER_TEMP || undefined
}

export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(markdown).write()
}
