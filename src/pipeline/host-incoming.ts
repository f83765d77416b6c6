import { posix } from 'node:path'
import type { Transport } from '../transport/transport.js'
import { SelfhostBackupError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import { quote, script } from '../kernel/shell.js'
import { besideDataRoot, chooseSafePlaceLines, PLACE_MOVED_MARK, placeMovedBecause, ROOT_PLACE, unsafePlaceError, type HostPlace } from './host-places.js'

const MADE_MARK = 'selfhost-backup-incoming='

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
  const fallback = posix.join(ROOT_PLACE, 'incoming', posix.basename(beside.path))
  // The place is chosen, checked and used in one script: nothing can change on the way between a check and its use.
  const result = await host
    .run(
      script(
        ...chooseSafePlaceLines(beside, fallback, PLACE_MOVED_MARK),
        '(umask 077 && mkdir -p -- "$place")',
        'find "$place" -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +',
        'made=$(mktemp -d -- "$place/restore-XXXXXXXX")',
        `printf '${MADE_MARK}%s\\n' "$made"`
      ),
      { description: `Creating the restore's staging directory beside ${dataRoot}` }
    )
    .catch((error: unknown) => {
      throw unsafePlaceError(error) ?? error
    })
  const dir =
    result.stdout
      .split('\n')
      .find(line => line.startsWith(MADE_MARK))
      ?.slice(MADE_MARK.length) ?? ''
  // Only a directory inside one of the two places this code offered is accepted, whatever the host printed.
  const chosen = [beside.path, fallback].find(place => dir.startsWith(`${place}/restore-`))
  if (!chosen || posix.normalize(dir) !== dir || posix.dirname(dir) !== chosen) {
    throw new SelfhostBackupError(`The host answered an unexpected staging directory: ${JSON.stringify(dir)}`)
  }
  if (chosen === fallback) logger.info(`The parts are staged in ${fallback}: ${placeMovedBecause(result.stdout)}`)
  return dir
}

/** Removes the staging directory, and its parent when nothing else is left there. */
export async function removeIncoming(host: Transport, dir: string, logger: Logger): Promise<void> {
  await host
    .run(script(`rm -rf -- ${quote(dir)}`, `rmdir -- ${quote(posix.dirname(dir))} 2>/dev/null || true`), { description: `Removing the staging directory ${dir}` })
    .catch(error => logger.warning(`The staging directory ${JSON.stringify(dir)} was not removed: ${(error as Error).message}`))
}
