/**
 * Issue 10, items 3 and 5 on the host: the app's user plants a link at every path a restore writes
 * (ee/db.sqlite to a root-owned file, ee/ itself, events, ee/jobs, a -wal companion, the staging directory
 * while the restore runs), and the manifest names a host path of its choosing. Each is refused before the
 * host changes, or confined: nothing outside the Tabby root is written, and no root-owned file changes hands.
 */
import { rename, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { VerificationError } from '../../src/kernel/errors.js'
import type { VerifiedPart } from '../../src/recipes/recipe.js'
import { seatableRecipe } from '../../src/recipes/seatable.js'
import { tabbyRecipe } from '../../src/recipes/tabby.js'
import type { RunOptions, RunResult, Transport } from '../../src/transport/transport.js'
import { OPEN_NEW_STAGING } from '../../src/recipes/host-files.js'
import { quote } from '../../src/kernel/shell.js'
import { forged, host, leftovers, makeCase, manifestOf, ownerOf, removeCases, shell, tarball, tarPart, testLogger, treesOf, type CaseBed } from './host-side-bed.js'
import { fingerprintTree } from '../../scripts/fixtures/fingerprint.mjs'
import { restoring } from '../support/restore-context.js'

afterAll(removeCases)

/** A small SQLite database (table t with 2 rows), zstd-compressed, as a db part. */
function databasePart(bed: CaseBed): VerifiedPart {
  const plain = shell('mktemp -- "$1/db.XXXXXX"', bed.tarballs).trim()
  shell('rm -f -- "$1"; sqlite3 "$1" "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);"; zstd -q --rm -- "$1"', plain)
  return { record: { name: 'db', file: 'db.sqlite.zst', kind: 'sqlite', compression: 'zstd', bytes: 0, sha256: '0'.repeat(64), durationMs: 0, tables: { t: 2 } }, on: 'runner', path: `${plain}.zst` }
}

const seatableOptions = (bed: CaseBed, layout: 'old' | 'current', composeDir = ''): ReturnType<typeof seatableRecipe.parseOptions> => ({
  ...seatableRecipe.parseOptions({ 'seatable-layout': layout, 'db-mode': 'direct', 'seatable-root': join(bed.root, 'data'), 'compose-dir': composeDir }),
  dtableDbBackup: false
})

/** events, jobs and home tarballs as the Tabby backup makes them (members relative to the root). */
function directoryParts(bed: CaseBed): Record<'home' | 'events' | 'jobs', VerifiedPart> {
  const source = join(bed.dir, 'source')
  shell('mkdir -p -- "$1/ee/jobs" "$1/events"; printf "new\\n" > "$1/config.toml"; printf "job\\n" > "$1/ee/jobs/one.log"; printf "event\\n" > "$1/events/today.json"', source)
  return {
    home: tarPart('home', tarball(source, join(bed.tarballs, 'home.tar.zst'), { members: ['./config.toml', './ee/'] })),
    events: tarPart('events', tarball(source, join(bed.tarballs, 'events.tar.zst'), { members: ['./events'] }), { details: { path: '../outside', present: true } }),
    jobs: tarPart('jobs', tarball(source, join(bed.tarballs, 'jobs.tar.zst'), { members: ['./ee/jobs'] }))
  }
}

function restoreTabby(bed: CaseBed, parts: VerifiedPart[], transport: Transport = host): Promise<string[]> {
  const options = tabbyRecipe.parseOptions({ 'tabby-root': bed.root, compression: 'zstd' })
  return restoring(transport, testLogger(), context => tabbyRecipe.restore(transport, options, parts, manifestOf('tabby', parts, { exclude: [] }), context))
}

async function expectRefused(bed: CaseBed, parts: VerifiedPart[], says: string[], transport?: Transport): Promise<void> {
  const error = await restoreTabby(bed, parts, transport).then(
    () => null,
    (caught: unknown) => caught
  )
  expect(error).toBeInstanceOf(VerificationError)
  for (const part of says) expect((error as Error).message).toContain(part)
}

describe('a link planted where the Tabby restore writes', () => {
  forged('ee/db.sqlite -> a root-owned file elsewhere: refused before anything changes', async () => {
    const bed = await makeCase({ 'ee/keep.txt': 'keep\n', 'config.toml': 'old\n' })
    await symlink(join(bed.outside, 'root-owned'), join(bed.root, 'ee/db.sqlite'))
    const before = await treesOf(bed)
    const { home, events } = directoryParts(bed)
    await expectRefused(bed, [home, events, databasePart(bed)], ['ee/db.sqlite', 'symbolic link'])
    expect(await treesOf(bed)).toEqual(before)
    expect(ownerOf(join(bed.outside, 'root-owned'))).toBe('0:0')
    expect(await leftovers(bed.dir)).toEqual([])
  })

  forged('ee/ -> a directory elsewhere: refused without the home part, replaced by it with it', async () => {
    const bed = await makeCase({ 'config.toml': 'old\n' })
    await symlink(bed.outside, join(bed.root, 'ee'))
    const before = await treesOf(bed)
    const parts = directoryParts(bed)
    await expectRefused(bed, [parts.jobs, databasePart(bed)], ['/ee"', 'symbolic link'])
    expect(await treesOf(bed)).toEqual(before)
    await restoreTabby(bed, [parts.home, parts.jobs, databasePart(bed)])
    expect(shell('stat -c %F -- "$1/ee"; cat -- "$1/ee/jobs/one.log"; sqlite3 "$1/ee/db.sqlite" "SELECT count(*) FROM t"', bed.root)).toBe('directory\njob\n2\n')
    expect((await treesOf(bed)).outside).toEqual(before.outside)
  })

  forged('events -> a directory elsewhere, ee/jobs -> a directory elsewhere: the links are replaced, never followed', async () => {
    const bed = await makeCase({ 'ee/keep.txt': 'keep\n' })
    await symlink(bed.outside, join(bed.root, 'events'))
    await symlink(bed.outside, join(bed.root, 'ee/jobs'))
    const outsideBefore = await fingerprintTree(bed.outside)
    const { events, jobs } = directoryParts(bed)
    await restoreTabby(bed, [events, jobs])
    expect(shell('stat -c %F -- "$1/events" "$1/ee/jobs"; cat -- "$1/events/today.json"', bed.root)).toBe('directory\ndirectory\nevent\n')
    expect(await fingerprintTree(bed.outside)).toEqual(outsideBefore)
  })

  forged('ee/db.sqlite-wal -> a root-owned file: removed as a link, the file untouched', async () => {
    const bed = await makeCase({ 'ee/keep.txt': 'keep\n' })
    await symlink(join(bed.outside, 'root-owned'), join(bed.root, 'ee/db.sqlite-wal'))
    const outsideBefore = await fingerprintTree(bed.outside)
    await restoreTabby(bed, [databasePart(bed)])
    expect(shell('ls -A -- "$1/ee"', bed.root)).toBe('db.sqlite\nkeep.txt\n')
    expect(await fingerprintTree(bed.outside)).toEqual(outsideBefore)
  })

  forged('the staging directory replaced by a link while the restore runs', async () => {
    const bed = await makeCase({ 'config.toml': 'old\n' })
    const outsideBefore = await fingerprintTree(bed.outside)
    const { home } = directoryParts(bed)
    await expectRefused(bed, [home], ['.selfhost-restore.', 'was replaced'], swappingStaging(bed, 'Moving the restored files'))
    expect(await fingerprintTree(bed.outside)).toEqual(outsideBefore)
    expect(shell('cat -- "$1/config.toml"', bed.root)).toBe('old\n')
  })

  for (const planted of ['a link to the outside', 'a directory of another user']) {
    for (const extracted of [false, true]) {
      forged(`the staging directory replaced by ${planted} the moment it is made${extracted ? ', for a tree the fetch extracted' : ''}`, async () => {
        const bed = await makeCase({ 'config.toml': 'old\n' })
        const outsideBefore = await fingerprintTree(bed.outside)
        const { home } = directoryParts(bed)
        const part = extracted ? extractedBeside(bed, home) : home
        await expectRefused(bed, [part], ['staging directory', 'was replaced'], replacingNewStaging(planted === 'a link to the outside' ? 'link' : 'directory', bed.outside))
        expect(await fingerprintTree(bed.outside)).toEqual(outsideBefore)
        expect(shell('cat -- "$1/config.toml"', bed.root)).toBe('old\n')
        // Nothing was written into what the user put there.
        if (planted !== 'a link to the outside') expect(shell('ls -A -- "$1"/.selfhost-restore.*/', bed.root)).toBe('')
      })
    }
  }

  forged('the database staging directory replaced by a link before the database is moved', async () => {
    const bed = await makeCase({ 'ee/keep.txt': 'keep\n' })
    const outsideBefore = await fingerprintTree(bed.outside)
    await expectRefused(bed, [databasePart(bed)], ['.selfhost-restore.', 'was replaced'], swappingStaging(bed, 'Moving the restored database', 'ee'))
    expect(await fingerprintTree(bed.outside)).toEqual(outsideBefore)
    expect(
      shell('ls -A -- "$1/ee"', bed.root)
        .split('\n')
        .filter(name => !name.startsWith('.selfhost-restore') && name)
    ).toEqual(['keep.txt', 'moved-by-attacker'])
  })

  forged("a manifest whose events part names another directory: restored into the root's events only", async () => {
    const bed = await makeCase()
    const outsideBefore = await fingerprintTree(bed.outside)
    const { events } = directoryParts(bed)
    expect(events.record.details?.path).toBe('../outside')
    await restoreTabby(bed, [events])
    expect(shell('cat -- "$1/events/today.json"', bed.root)).toBe('event\n')
    expect(await fingerprintTree(bed.outside)).toEqual(outsideBefore)
  })
})

describe('a home part that holds what this host keeps', () => {
  forged('ee/db.sqlite in the home tarball, or ee as a file: the host keeps its own, with a warning', async () => {
    const bed = await makeCase({ 'ee/db.sqlite': 'host database\n', 'config.toml': 'old\n' })
    const options = tabbyRecipe.parseOptions({ 'tabby-root': bed.root, compression: 'zstd' })
    for (const build of ['mkdir ee; printf forged > ee/db.sqlite', 'printf forged > ee']) {
      const source = join(bed.dir, `source-${build.length}`)
      shell('mkdir -p -- "$1"; cd -- "$1"; printf "new\\n" > config.toml; eval "$2"', source, build)
      const home = tarPart('home', tarball(source, join(bed.tarballs, `home-${build.length}.tar.zst`)))
      const logger = testLogger()
      await restoring(host, logger, context => tabbyRecipe.restore(host, options, [home], manifestOf('tabby', [home], { exclude: [] }), context))
      expect(shell('cat -- "$1/ee/db.sqlite" "$1/config.toml"', bed.root)).toBe('host database\nnew\n')
      const [warning] = logger.warnings
      expect(warning).toBe(
        build.startsWith('mkdir')
          ? `${JSON.stringify(join(bed.root, 'ee/db.sqlite'))} is kept on this host, so the backup's copy was not restored.`
          : `${JSON.stringify(join(bed.root, 'ee'))} holds kept paths on this host, so the backup's non-directory there was not restored.`
      )
    }
    expect(await leftovers(bed.dir)).toEqual([])
  })
})

describe('SeaTable takes no path from the manifest', () => {
  forged('a compose part whose details.path names another directory is restored into compose-dir, the other untouched', async () => {
    const bed = await makeCase()
    const source = join(bed.dir, 'compose-source')
    shell('mkdir -p -- "$1"; printf "services: {}\\n" > "$1/seatable-server.yml"', source)
    const compose = tarPart('compose', tarball(source, join(bed.tarballs, 'compose.tar.zst')), { details: { path: bed.outside } })
    const outsideBefore = await fingerprintTree(bed.outside)
    const options = seatableOptions(bed, 'current', join(bed.root, 'compose'))
    await restoring(host, testLogger(), context => seatableRecipe.restore(host, options, [compose], manifestOf('seatable', [compose]), context))
    expect(shell('ls -A -- "$1/compose"', bed.root)).toBe('seatable-server.yml\n')
    expect(await fingerprintTree(bed.outside)).toEqual(outsideBefore)
  })

  forged('a compose part on a host without a compose directory is refused, nothing written', async () => {
    const bed = await makeCase()
    const source = join(bed.dir, 'compose-source')
    shell('mkdir -p -- "$1"; printf "x\\n" > "$1/.env"', source)
    const compose = tarPart('compose', tarball(source, join(bed.tarballs, 'compose.tar.zst')), { details: { path: bed.outside } })
    const before = await treesOf(bed)
    const options = seatableOptions(bed, 'old')
    expect(seatableRecipe.acceptManifest(options, manifestOf('seatable', [compose]))).toEqual([expect.stringContaining('set `compose-dir`')])
    await expect(restoring(host, testLogger(), context => seatableRecipe.restore(host, options, [compose], manifestOf('seatable', [compose]), context))).rejects.toThrow(/compose-dir/)
    expect(await treesOf(bed)).toEqual(before)
  })
})

/** The home part as the fetch leaves it when it extracted and checked it on the host: a tree beside the root. */
function extractedBeside(bed: CaseBed, part: VerifiedPart): VerifiedPart {
  const tree = join(bed.dir, 'incoming-tree')
  shell('mkdir -- "$1" && zstd -dc -- "$2" | tar -x -p -C "$1"', tree, part.path)
  return { ...part, on: 'host', path: tree, extracted: true }
}

/**
 * The app's user at work in the instant between the staging directory's creation and its opening: it is
 * renamed away and a link to `outside`, or a directory the user owns, put under its name.
 */
function replacingNewStaging(planted: 'link' | 'directory', outside: string): Transport {
  const [made] = OPEN_NEW_STAGING
  const replaced = 'mv -T -- "/proc/self/fd/$dir/$staging_name" "/proc/self/fd/$dir/moved-by-attacker"'
  const put =
    planted === 'link' ? `ln -s -- ${quote(outside)} "/proc/self/fd/$dir/$staging_name"` : 'mkdir -- "/proc/self/fd/$dir/$staging_name"; chown 65534:65534 -- "/proc/self/fd/$dir/$staging_name"'
  return hostWith('local (replacing the new staging directory)', (text, options) => host.run(text.includes(made) ? text.replace(made, `${made}\n${replaced}; ${put}`) : text, options))
}

/**
 * The app's user at work: just before the step named `step` runs, the staging directory in root/`under`
 * is renamed away and a link to the outside directory put in its place.
 */
function swappingStaging(bed: CaseBed, step: string, under = ''): Transport {
  return hostWith('local (swapping)', async (text, options = {}) => {
    if (options.description?.startsWith(step)) {
      const dir = join(bed.root, under)
      const [staging] = shell('ls -A -- "$1" | grep "^\\.selfhost-restore\\." || true', dir).split('\n').filter(Boolean)
      await rename(join(dir, staging), join(dir, 'moved-by-attacker'))
      await symlink(bed.outside, join(dir, staging))
    }
    return host.run(text, options)
  })
}

/** The test host, with `run` in place of its own: the app's user acting around the restore's scripts. */
function hostWith(label: string, run: (text: string, options?: RunOptions) => Promise<RunResult>): Transport {
  return { kind: 'local', label, hostId: 'host', open: () => host.open(), close: () => host.close(), run }
}
