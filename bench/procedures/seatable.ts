/**
 * SeaTable, side by side. manual: the vendor's documented commands (seeds/seatable-backup-and-recovery.md)
 * run from the runner over SSH into a local folder: three sequential `mysqldump --opt` through
 * `docker exec`, then `rsync -az` of the data directory with the layout's excludes; restore with
 * `mysql db < dump` and rsync back. floor: the same bytes dumped, tarred and compressed on the host
 * and thrown away; restore: our parts piped over SSH, decompressed and unpacked into a scratch dir.
 * The password reaches the client as MYSQL_PWD (read from stdin), never an argv.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { seatableActionInputs, SEATABLE_DATABASES } from '../../__tests__/support/seatable-bed.js'
import type { BenchKnobs } from '../knobs.js'
import type { BenchBed } from './bench-bed.js'
import { oursBackups, oursRestoreOverLive, oursRestores, storedParts, type OursApp, type OursState } from './ours.js'
import { shellQuote } from './ssh-client.js'
import type { AppSuite, Variant } from './variant.js'

/** The dump options of the bundled action (src/sources/mysql.ts), so the floor dumps the same bytes. */
const OUR_DUMP_OPTIONS = '--single-transaction --quick --routines --triggers --events --hex-blob --default-character-set=utf8mb4 --add-drop-table --comments'
const COMPRESS = 'zstd -q -T0 -3'
const WITH_PASSWORD = 'IFS= read -r MYSQL_PWD; export MYSQL_PWD'

/** Drops the databases; `recreate` makes empty ones (the vendor's `mysql db < dump` needs them to exist). */
async function resetDatabases(bed: BenchBed, recreate: boolean): Promise<void> {
  await dropKeptDatabases(bed)
  await bed.server.query(SEATABLE_DATABASES.map(name => `DROP DATABASE IF EXISTS ${name};${recreate ? ` CREATE DATABASE ${name} CHARACTER SET utf8mb4;` : ''}`).join(' '))
}

/** The tables our restores kept (their safety copy) and any side database one left: they would fill the bench's disk run after run. */
async function dropKeptDatabases(bed: BenchBed): Promise<void> {
  const names = (await bed.server.query('SHOW DATABASES')).split('\n').filter(name => /__(kept|incoming)_\d{8}T\d{6}Z_[0-9a-f]{6}$/.test(name))
  if (names.length > 0) await bed.server.query(names.map(name => `DROP DATABASE \`${name}\`;`).join(' '))
}

export function seatableSuite(bed: BenchBed, knobs: BenchKnobs): AppSuite {
  const { layout } = bed.seatable
  const password = `${bed.server.rootPassword}\n`
  const container = layout.containers.database
  const manualDir = join(bed.work, 'manual-seatable')
  const state: OursState = { storePath: join(bed.work, 'store-seatable') }
  const excludes = layout.dataExcludes.flatMap(name => ['--exclude', name])
  const tarExcludes = layout.dataExcludes.map(name => `--exclude=./${name}`).join(' ')
  const tarFlags = 'tar --create --file=- --format=posix --sparse --anchored'
  let target = ''

  const manual: Variant = {
    name: 'manual',
    // The whole folder goes: rsync into last run's copy would send only the differences, which the vendor's first backup does not get.
    prepare: async () => {
      await bed.scratch('manual-seatable')
      await bed.scratch('manual-seatable/databases')
    },
    run: async () => {
      for (const database of SEATABLE_DATABASES) {
        await bed.ssh.run(`${WITH_PASSWORD}; docker exec -e MYSQL_PWD ${container} mysqldump -uroot --opt ${database}`, {
          input: password,
          stdoutPath: join(manualDir, 'databases', `${database}.sql`),
          description: `mysqldump ${database}`
        })
      }
      await bed.ssh.rsync(['-az', '--rsync-path=sudo rsync', ...excludes, `${bed.ssh.destination}:${layout.root}`, manualDir], 'rsync of the data directory')
    }
  }
  /** Every part produced at once on the host, compressed, and sent to `sink` there ('> /dev/null') or, without one, up the SSH connection. */
  const produceAll = (sink: string): string => {
    const jobs = [
      ...SEATABLE_DATABASES.map(database => `docker exec -e MYSQL_PWD ${container} mariadb-dump -uroot ${OUR_DUMP_OPTIONS} ${database} | ${COMPRESS} ${sink}`),
      `cd ${shellQuote(layout.root)} && ${tarFlags} ${tarExcludes} . | ${COMPRESS} ${sink}`,
      ...[layout.composeDir, layout.caddyDir].filter((dir): dir is string => Boolean(dir)).map(dir => `cd ${shellQuote(dir)} && ${tarFlags} . | ${COMPRESS} ${sink}`)
    ]
    const script = ['pids=()', ...jobs.map(job => `( ${job} ) & pids+=($!)`), 'for pid in "${pids[@]}"; do wait "$pid" || exit 1; done'].join('\n')
    return `${WITH_PASSWORD}; sudo --preserve-env=MYSQL_PWD bash -o pipefail -c ${shellQuote(script)}`
  }
  const floor: Variant = {
    name: 'floor',
    run: async () => {
      await bed.ssh.run(produceAll('> /dev/null'), { input: password, description: 'floor backup' })
    }
  }
  // What a pull-based tool can reach: the same parts, over one SSH connection, into /dev/null on the runner.
  const transportFloor: Variant = {
    name: 'transport-floor',
    run: async () => {
      await bed.ssh.run(produceAll(''), { input: password, stdoutPath: '/dev/null', description: 'transport floor backup' })
    }
  }
  const manualRestore: Variant = {
    name: 'manual',
    prepare: async () => {
      await resetDatabases(bed, true)
      target = await bed.scratch('restore-seatable')
      await rm(target, { recursive: true })
    },
    run: async () => {
      for (const database of SEATABLE_DATABASES) {
        await bed.ssh.run(`${WITH_PASSWORD}; docker exec -i -e MYSQL_PWD ${container} mysql -uroot ${database}`, {
          input: password,
          stdinPath: join(manualDir, 'databases', `${database}.sql`),
          description: `mysql ${database} < dump`
        })
      }
      await bed.ssh.rsync(['-az', '--rsync-path=sudo rsync', `${join(manualDir, 'seatable')}/`, `${bed.ssh.destination}:${target}/`], 'rsync back of the data directory')
    },
    finish: () => rm(target, { recursive: true, force: true })
  }
  const floorRestore: Variant = {
    name: 'floor',
    prepare: async () => {
      await resetDatabases(bed, true)
      target = await bed.scratch('restore-seatable')
    },
    run: async () => {
      const parts = await storedParts(state.storePath, state.localBackupId)
      await Promise.all(
        parts.map(part => {
          const database = /^db-([A-Za-z0-9_]+)$/.exec(part.name)?.[1]
          if (database)
            return bed.ssh.run(`${WITH_PASSWORD}; zstd -q -d | docker exec -i -e MYSQL_PWD ${container} mariadb -uroot ${database}`, {
              input: password,
              stdinPath: part.paths,
              description: `floor import of ${database}`
            })
          const into = join(target, part.name)
          return bed.ssh.run(`sudo mkdir -p ${shellQuote(into)} && zstd -q -d | sudo tar --extract --file=- --preserve-permissions --directory ${shellQuote(into)}`, {
            stdinPath: part.paths,
            description: `floor unpack of ${part.file}`
          })
        })
      )
    },
    finish: () => rm(target, { recursive: true, force: true })
  }

  const ours: OursApp = {
    backupInputs: () => ({ ...seatableActionInputs(bed.seatable, bed.server, 'docker'), verify: knobs.verify, 'allow-unencrypted-secrets': 'true' }),
    restoreInputs: restoreTarget => ({ ...seatableActionInputs(bed.seatable, bed.server, 'docker'), 'seatable-root': restoreTarget }),
    beforeRestore: () => resetDatabases(bed, false),
    restoreTarget: async () => {
      const fresh = await bed.scratch('restore-seatable')
      await rm(fresh, { recursive: true }) // an empty host: the data directory does not exist yet
      return fresh
    },
    afterRestore: async restoreTarget => {
      await rm(restoreTarget, { recursive: true, force: true })
      await dropKeptDatabases(bed)
    },
    liveRoot: () => seatableActionInputs(bed.seatable, bed.server, 'docker')['seatable-root']
  }
  // ours-local restores last: it leaves the databases as complete as the source (the vendor's --opt dumps lack routines and events).
  const [oursLocalRestore, oursArtifactRestore] = oursRestores(bed, ours, state)
  return {
    app: 'seatable',
    backups: [manual, floor, transportFloor, ...oursBackups(bed, ours, state, knobs.drillRow)],
    restores: [manualRestore, floorRestore, oursArtifactRestore, oursLocalRestore, oursRestoreOverLive(bed, ours, state)]
  }
}
