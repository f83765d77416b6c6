import { addMask, appendSummary, debug, getInput, group, info, warning } from './runner-commands.js'
import { INPUTS } from '../inputs/definitions.js'
import { quietText, secretPieces, type Logger } from '../kernel/log.js'

/**
 * The core's logger on the runner's commands: groups fold in the log, masks are the runner's. Every text
 * is quieted here, once for all callers: info() writes it to stdout as is, where a line of it could be a
 * workflow command. warning, debug and group are commands whose payload is already encoded (%0A for a
 * line break), so for them quieting only removes terminal escapes.
 */
export function actionsLogger(): Logger {
  return {
    info: message => info(quietText(message)),
    warning: message => warning(quietText(message)),
    debug: message => debug(quietText(message)),
    group: (title, work) => group(quietText(title), work),
    mask: secret => {
      // The runner masks line by line, so a multi-line key is registered one line at a time too; and
      // as the runner sees it after quietText, or a secret with a control character would show escaped.
      const pieces = secretPieces(secret)
      for (const piece of new Set([...pieces, ...pieces.map(quietText)])) addMask(piece)
      addMask(secret)
    }
  }
}

/** Every input marked secret is masked before any input is parsed, so no error can echo one. */
export function maskSecretInputs(logger: Logger): void {
  for (const input of INPUTS) {
    if (!input.secret) continue
    const value = getInput(input.name)
    if (value) logger.mask(value)
  }
}

export const SSH_WORK_DIR_STATE = 'ssh-work-dir'

export function actionTempRoot(): string | undefined {
  return process.env.RUNNER_TEMP || undefined
}

/** Quieted like the log (idempotent, so pieces quieted earlier are unchanged): names in it come from data. */
export async function writeSummary(markdown: string): Promise<void> {
  await appendSummary(quietText(markdown))
}
