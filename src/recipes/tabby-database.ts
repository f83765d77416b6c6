import { posix } from 'node:path'
import { formatSeconds, type Logger } from '../kernel/log.js'
import { quote, script } from '../kernel/shell.js'
import { compareCounts, inspectSqlite, writeSqliteFile } from '../sources/sqlite.js'
import type { Transport } from '../transport/transport.js'
import { createStaging, explainRefusal, pinChild, pinDirectory, pinnedLines, removeStaging, runPinned, type PinnedDirectory } from './host-files.js'
import type { SwapJournal } from './host-swap.js'
import { partInput, type PreparedPart, type VerifiedPart } from './recipe.js'

/**
 * Tabby's database in a restore: written from its part, integrity-checked and counted before anything live
 * changes, then swapped in by rename (the live file and its -wal/-shm move aside together: the safety copy).
 */

export const DATABASE = 'ee/db.sqlite'
export const DATABASE_COMPANIONS = ['ee/db.sqlite-wal', 'ee/db.sqlite-shm', 'ee/db.sqlite-journal']
/** Where a part staged in the restore's incoming directory is written and checked, beside that part. */
const READY_PREFIX = 'ready-'

/** Where the checked database waits for its swap: a staging directory in ee/, or a directory of the restore's incoming area. */
type CheckedDatabase = { staging: PinnedDirectory } | { tree: string }

export function linkReasons(root: string): Record<string, string> {
  return {
    'ee link': `${JSON.stringify(posix.join(root, 'ee'))} is a symbolic link; a restore never writes through links (restore the home part too, or replace the link with a directory)`,
    'database link': `${JSON.stringify(posix.join(root, DATABASE))} is a symbolic link or not a regular file; a restore never writes through links`
  }
}

/**
 * Before anything changes: a link the app's user planted where the restore will write refuses the restore.
 * ee/ as a link is replaced by the home part's ee/ when home is restored, so it refuses only without home.
 */
export async function refusePlantedLinks(host: Transport, root: PinnedDirectory, restoring: { home: boolean; ee: boolean; db: boolean }): Promise<void> {
  const entry = (relative: string): string => `"/proc/self/fd/$root"/${quote(relative)}`
  await runPinned(
    host,
    { root },
    [
      ...(restoring.ee && !restoring.home ? [`if [ -L ${entry('ee')} ]; then selfhost_refuse ee link; fi`] : []),
      ...(restoring.db ? [`if [ -d ${entry('ee')} ] && [ ! -L ${entry('ee')} ] && [ -L ${entry(DATABASE)} ]; then selfhost_refuse database link; fi`] : [])
    ],
    { description: 'Looking for links where the restore writes', reasons: linkReasons(root.path) }
  )
}

/** Where writeChecked writes: `create` makes the directory, `enter` enters it, `file` is relative to it. */
interface WritePlace {
  create: string[]
  enter: string[]
  file: string
  explain: (error: unknown) => unknown
}

/** Writes the part decompressed to the place's file, then checks it there: integrity, and the backup's row counts. */
async function writeChecked(host: Transport, part: VerifiedPart, where: WritePlace, logger: Logger): Promise<void> {
  await writeSqliteFile(host, where.file, part.record.compression, partInput(part, `Writing ${DATABASE}`, logger), [...where.create, ...where.enter]).catch(error => {
    throw where.explain(error)
  })
  const incoming = await inspectSqlite(host, where.file, { prelude: where.enter, label: `the incoming ${DATABASE}` }).catch(error => {
    throw where.explain(error)
  })
  compareCounts(part.record.tables ?? {}, incoming, 'The restored database (before it was moved into place)')
}

/**
 * While the other parts still stream in (before the stop): the database staged in the restore's incoming
 * directory is written beside it and checked there, so that after the stop only its swap remains. The
 * incoming directory is the restore's own (mode 700, beside the data or under root's place), never the app's.
 */
export async function prepareDatabase(host: Transport, dataRoot: string, part: VerifiedPart, logger: Logger): Promise<PreparedPart> {
  const began = Date.now()
  const tree = posix.join(posix.dirname(part.path), `${READY_PREFIX}${part.record.name}`)
  // Once its swap succeeded, the swap moved the directory away: nothing is left to remove.
  let swapped = false
  const discard = async (): Promise<void> => {
    if (swapped) return
    await host.run(script(`rm -rf -- ${quote(tree)}`), { description: `Removing ${tree}` }).catch(error => logger.warning(`${JSON.stringify(tree)} was not removed: ${(error as Error).message}`))
  }
  try {
    await writeChecked(host, part, { create: [`mkdir -m 700 -- ${quote(tree)}`], enter: [`cd -- ${quote(tree)}`], file: 'db.sqlite', explain: error => error }, logger)
  } catch (error) {
    await discard()
    throw error
  }
  logger.info(`${part.record.name}: written beside the live data and checked in ${formatSeconds(Date.now() - began)}`)
  return {
    part: part.record.name,
    swapIn: async swaps => {
      // Pinned after the stop, as the restore's other swaps: the home part's swap may have replaced ee/.
      const ee = await pinChild(host, await pinDirectory(host, dataRoot), 'ee')
      const line = await swapDatabaseIn(host, swaps, ee, part, { tree }, logger)
      swapped = true
      return line
    },
    discard
  }
}

/** A restore without a prepared database (parts handed over on the runner): written and checked in a staging directory in ee/, then swapped in. */
export async function restoreDatabase(host: Transport, swaps: SwapJournal, ee: PinnedDirectory, part: VerifiedPart, logger: Logger): Promise<string> {
  const began = Date.now()
  const staging = await createStaging(host, ee)
  try {
    await writeChecked(host, part, { create: [], enter: pinnedLines({ staging }, 'staging'), file: 'new/db.sqlite', explain: error => explainRefusal(error, { staging }) }, logger)
  } catch (error) {
    await removeStaging(host, staging, logger)
    throw error
  }
  logger.info(`${part.record.name}: written and checked in ${formatSeconds(Date.now() - began)}`)
  return swapDatabaseIn(host, swaps, ee, part, { staging }, logger)
}

/**
 * Swaps the checked database into ee/, taking the owner and mode of the file it replaces (read from that file
 * itself, never through a link; set-id bits never), then counts its rows in place. A link planted at
 * ee/db.sqlite is moved aside, never written through, and refused up front.
 */
async function swapDatabaseIn(host: Transport, swaps: SwapJournal, ee: PinnedDirectory, part: VerifiedPart, checked: CheckedDatabase, logger: Logger): Promise<string> {
  const began = Date.now()
  const reasons = linkReasons(posix.dirname(ee.path))
  const names = ['db.sqlite', ...DATABASE_COMPANIONS.map(companion => posix.basename(companion))]
  // The owner and mode go on in the swap's own script, just before it: one round trip.
  const takeOwnerAndMode = [
    'target="/proc/self/fd/$dir/db.sqlite"; incoming="/proc/self/fd/$from/new/db.sqlite"',
    // One lstat gives type, owner and mode of the entry itself: a link swapped in meanwhile is seen for what it is.
    'if current=$(stat -c \'%F|%u:%g|%a\' -- "$target" 2>/dev/null); then',
    '  IFS="|" read -r type owner mode <<< "$current"',
    '  case "$type" in "regular file"|"regular empty file") ;; *) selfhost_refuse database link;; esac',
    '  chown -h -- "$owner" "$incoming"',
    '  chmod -- "$(printf %o "$(( 8#$mode & 8#777 ))")" "$incoming"',
    'fi'
  ]
  await swaps.swapIn({
    dir: ee,
    ...checked,
    part: part.record.name,
    undo: { kind: 'entries', names },
    description: `Moving the restored database into ${posix.join(ee.path, 'db.sqlite')}`,
    before: takeOwnerAndMode,
    reasons
  })
  // Counted again in place: SQLite would replay a -wal beside the target into the restored file. The
  // integrity_check ran once, before the swap, on the very file the rename moved here.
  const inPlace = [...pinnedLines({ ee }, 'ee'), '{ [ -f db.sqlite ] && [ ! -L db.sqlite ]; } || selfhost_refuse database link']
  const counts = await inspectSqlite(host, 'db.sqlite', { prelude: inPlace, label: posix.join(ee.path, 'db.sqlite'), countsOnly: true }).catch(error => {
    throw explainRefusal(error, { ee }, reasons)
  })
  compareCounts(part.record.tables ?? {}, counts, `The restored ${DATABASE}`)
  logger.info(`${part.record.name}: swapped in and counted in ${formatSeconds(Date.now() - began)}`)
  return `db restored: integrity ok, ${Object.keys(counts).length} tables with the row counts of the backup`
}
