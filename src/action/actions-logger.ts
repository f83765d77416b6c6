import * as core from '@actions/core'
import { INPUTS } from '../inputs/definitions.js'
import { quietText, secretPieces, type Logger } from '../kernel/log.js'

/**
 * The core's logger on top of @actions/core: groups fold in the log, masks are the runner's. Every text
 * is quieted here, once for all callers: info() writes it to stdout as is, where a line of it could be a
 * workflow command. warning, debug and group are commands whose payload @actions/core already encodes
 * (%0A for a line break), so for them quieting only removes terminal escapes.
 */
export function actionsLogger(): Logger {
  return {
    info: message => core.info(quietText(message)),
    warning: message => core.warning(quietText(message)),
    debug: message => core.debug(quietText(message)),
    group: (title, work) => core.group(quietText(title), work),
    mask: secret => {
      // The runner masks line by line, so a multi-line key is registered one line at a time too; and
      // as the runner sees it after quietText, or a secret with a control character would show escaped.
      const pieces = secretPieces(secret)
      for (const piece of new Set([...pieces, ...pieces.map(quietText)])) core.setSecret(piece)
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

/** Quieted like the log (idempotent, so pieces quieted earlier are unchanged): names in it come from data. */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(quietText(markdown)).write()
}
