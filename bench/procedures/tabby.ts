/**
 * Tabby, side by side. manual: the vendor's documented steps (seeds/tabby-data-backup.md) from the
 * runner over SSH: `sqlite3 db.sqlite ".backup …"` on the host, then the snapshot, events/ and
 * ee/jobs/ copied into a local folder with `rsync -az`; restore copies them back. floor: the same
 * bytes read and compressed on the host and thrown away; restore: our parts piped over SSH,
 * decompressed and unpacked into a scratch dir.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { BenchKnobs } from '../knobs.js'
import type { BenchBed } from './bench-bed.js'
import { oursBackups, oursRestoreOverLive, oursRestores, storedParts, type OursApp, type OursState } from './ours.js'
import { shellQuote } from './ssh-client.js'
import type { AppSuite, Variant } from './variant.js'

const COMPRESS = 'zstd -q -T0 -3'
/** What the recipe leaves out of `home` by default (src/recipes/tabby.ts): bulky, re-downloadable. */
const NOT_BACKED_UP = ['./ee/db.sqlite', './ee/db.sqlite-wal', './ee/db.sqlite-shm', './models', './index', './repositories']

export function tabbySuite(bed: BenchBed, knobs: BenchKnobs, root = bed.tabbyRoot): AppSuite {
  const manualDir = join(bed.work, 'manual-tabby')
  const snapshot = join(bed.hostTempDir, 'backup_database.db')
  const state: OursState = { storePath: join(bed.work, 'store-tabby') }
  const remote = (path: string) => `${bed.ssh.destination}:${path}`
  let target = ''
  const freshTarget = async () => {
    target = await bed.scratch('restore-tabby')
    await rm(target, { recursive: true })
    return target
  }

  const manual: Variant = {
    name: 'manual',
    // The whole folder goes: rsync into last run's copy would send only the differences, which the vendor's first backup does not get.
    prepare: async () => {
      await bed.scratch('manual-tabby')
      await bed.scratch('manual-tabby/ee')
    },
    run: async () => {
      await bed.ssh.run(`sudo sqlite3 ${shellQuote(join(root, 'ee/db.sqlite'))} ${shellQuote(`.backup ${snapshot}`)}`, { description: 'sqlite3 .backup' })
      await bed.ssh.rsync(['-az', '--rsync-path=sudo rsync', remote(snapshot), join(manualDir, 'ee', 'db.sqlite')], 'copy of the database backup')
      await bed.ssh.rsync(['-azR', '--rsync-path=sudo rsync', remote(`${root}/./events`), remote(`${root}/./ee/jobs`), `${manualDir}/`], 'copy of events and job logs')
      await bed.ssh.run(`sudo rm -f ${shellQuote(snapshot)}`, { description: 'removing the database backup' })
    }
  }
  /** The database and the files compressed at once on the host, sent to `sink` there ('> /dev/null') or, without one, up the SSH connection. */
  const produceAll = (sink: string): string => {
    const script = [
      `${COMPRESS} < ${shellQuote(join(root, 'ee/db.sqlite'))} ${sink} & database=$!`,
      `( cd ${shellQuote(root)} && tar --create --file=- --format=posix --sparse --anchored ${NOT_BACKED_UP.map(path => `--exclude=${path}`).join(' ')} . | ${COMPRESS} ${sink} ) & files=$!`,
      'wait "$database" && wait "$files"'
    ].join('\n')
    return `sudo bash -o pipefail -c ${shellQuote(script)}`
  }
  const floor: Variant = {
    name: 'floor',
    run: async () => {
      await bed.ssh.run(produceAll('> /dev/null'), { description: 'floor backup' })
    }
  }
  // What a pull-based tool can reach: the same bytes, over one SSH connection, into /dev/null on the runner.
  const transportFloor: Variant = {
    name: 'transport-floor',
    run: async () => {
      await bed.ssh.run(produceAll(''), { stdoutPath: '/dev/null', description: 'transport floor backup' })
    }
  }
  const manualRestore: Variant = {
    name: 'manual',
    prepare: async () => {
      await freshTarget()
    },
    run: async () => {
      await bed.ssh.rsync(['-az', '--rsync-path=sudo rsync', `${manualDir}/`, remote(`${target}/`)], 'copy back of the database, events and job logs')
    },
    finish: () => rm(target, { recursive: true, force: true })
  }
  const floorRestore: Variant = {
    name: 'floor',
    prepare: async () => {
      target = await bed.scratch('restore-tabby')
    },
    run: async () => {
      const parts = await storedParts(state.storePath, state.localBackupId)
      await Promise.all(
        parts.map(part => {
          const unpack = part.file.endsWith('.sqlite.zst')
            ? `sudo bash -c ${shellQuote(`zstd -q -d > ${shellQuote(join(target, 'db.sqlite'))}`)}`
            : `sudo mkdir -p ${shellQuote(join(target, part.name))} && zstd -q -d | sudo tar --extract --file=- --preserve-permissions --directory ${shellQuote(join(target, part.name))}`
          return bed.ssh.run(unpack, { stdinPath: part.paths, description: `floor unpack of ${part.file}` })
        })
      )
    },
    finish: () => rm(target, { recursive: true, force: true })
  }

  const ours: OursApp = {
    backupInputs: () => ({ app: 'tabby', 'tabby-root': root, verify: knobs.verify }),
    restoreInputs: restoreTarget => ({ app: 'tabby', 'tabby-root': restoreTarget }),
    restoreTarget: freshTarget,
    afterRestore: restoreTarget => rm(restoreTarget, { recursive: true, force: true }),
    liveRoot: () => root
  }
  return {
    app: 'tabby',
    backups: [manual, floor, transportFloor, ...oursBackups(bed, ours, state, knobs.drillRow)],
    restores: [manualRestore, floorRestore, ...oursRestores(bed, ours, state), oursRestoreOverLive(bed, ours, state)]
  }
}
