import { posix } from 'node:path'
import type { Transport } from '../transport/transport.js'
import { SelfhostBackupError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import { quote, script } from '../kernel/shell.js'
import { besideDataRoot, chooseSafePlace, refuseUnsafePlace, ROOT_PLACE, unsafePlaceError, type HostPlace } from './host-places.js'

/**
 * Where a restore stages the verified parts on the host before anything live changes: a fresh private
 * directory (mode 700) in `.selfhost-backup-incoming-<tag>` beside the data, so the parts are on the host
 * (not on the runner's disk) and usually on the data's own filesystem. Root writes here, so the place is
 * checked like the lock and the safety copies, and moves under ROOT_PLACE when the app's user could plant
 * a link on its way. Called under the host lock: whatever an earlier, killed restore left here goes first.
 */
export async function openIncoming(host: Transport, dataRoot: string, logger: Logger): Promise<string> {
  const beside: HostPlace = {
    path: besideDataRoot(dataRoot, 'incoming-'),
    name: "the restore's staging directory",
    kind: 'directory',
    fix: `run with sudo: true, so that root stages the parts in ${ROOT_PLACE}; or let only root and the user that runs the restore write ${posix.dirname(dataRoot)}`
  }
  const chosen = await chooseSafePlace(host, beside, posix.join(ROOT_PLACE, 'incoming', posix.basename(beside.path)))
  if (chosen.movedBecause) logger.info(`The parts are staged in ${chosen.path}: ${chosen.movedBecause}`)
  const result = await host
    .run(
      script(
        ...refuseUnsafePlace({ ...beside, path: chosen.path }),
        `(umask 077 && mkdir -p -- ${quote(chosen.path)})`,
        `find ${quote(chosen.path)} -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +`,
        `mktemp -d -- ${quote(`${chosen.path}/restore-XXXXXXXX`)}`
      ),
      { description: `Creating the restore's staging directory in ${chosen.path}` }
    )
    .catch((error: unknown) => {
      throw unsafePlaceError(error) ?? error
    })
  const dir = result.stdout.trim()
  // Only a directory inside the place this code chose is accepted, whatever the host printed.
  if (!dir.startsWith(`${chosen.path}/restore-`) || dir.includes('\n') || posix.normalize(dir) !== dir) {
    throw new SelfhostBackupError(`The host answered an unexpected staging directory: ${JSON.stringify(dir)}`)
  }
  return dir
}

/** Removes the staging directory, and its parent when nothing else is left there. */
export async function removeIncoming(host: Transport, dir: string, logger: Logger): Promise<void> {
  await host
    .run(script(`rm -rf -- ${quote(dir)}`, `rmdir -- ${quote(posix.dirname(dir))} 2>/dev/null || true`), { description: `Removing the staging directory ${dir}` })
    .catch(error => logger.warning(`The staging directory ${JSON.stringify(dir)} was not removed: ${(error as Error).message}`))
}
