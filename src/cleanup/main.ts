import { getState, info, warning } from '../action/runner-commands.js'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { SSH_WORK_DIR_STATE } from '../action/actions-logger.js'
import { controlArgs } from '../transport/ssh-args.js'

/**
 * The post step of both actions: closes a master connection the main step could not close (it was
 * cancelled or crashed) and deletes the key, known_hosts and control socket. Failures only warn.
 */
export async function run(): Promise<void> {
  const dir = getState(SSH_WORK_DIR_STATE)
  // The main step removes its own key material when it ends normally: then there is nothing to say.
  if (!dir || !existsSync(dir)) return
  try {
    const config = join(dir, 'config')
    if (existsSync(join(dir, 'cm')) && existsSync(config)) {
      spawnSync('ssh', controlArgs(config, 'exit'), { stdio: 'ignore', timeout: 10_000 })
    }
    await rm(dir, { recursive: true, force: true })
    info('Removed the SSH key material and control socket.')
  } catch (error) {
    warning(`Cleaning up ${dir}: ${(error as Error).message}`)
  }
}
