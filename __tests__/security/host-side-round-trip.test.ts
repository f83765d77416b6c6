/**
 * Genuine backups still restore exactly through the confined extraction (issue 10, item 4): in-process
 * backups by the recipes themselves, restored onto a host that drifted (stray files, changed and deleted
 * files, a kept directory that must survive, other owners and modes), with the Tabby incremental chain's
 * deletions applied, and the owners and modes of the backup kept, the data root's own included.
 */
import { join } from 'node:path'
import { createTabbyHome } from '../../scripts/fixtures/tabby-home.mjs'
import { fingerprintTree, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
import type { IncrementalPlan } from '../../src/pipeline/incremental.js'
import { StagingDirectory } from '../../src/pipeline/staging.js'
import type { RecipeContext, VerifiedPart } from '../../src/recipes/recipe.js'
import { seatableRecipe } from '../../src/recipes/seatable.js'
import { tabbyRecipe } from '../../src/recipes/tabby.js'
import { LAYOUTS } from '../../src/recipes/seatable-layout.js'
import { SshTransport } from '../../src/transport/ssh.js'
import { VerificationError } from '../../src/kernel/errors.js'
import { caseTempDir, forged, host, leftovers, manifestOf, ownerOf, removeCases, shell, tarball, tarPart, testLogger } from './host-side-bed.js'
import { treeOf } from '../support/tabby-bed.js'
import { startTestHost, type TestHost } from '../support/sshd.js'
import { restoring } from '../support/restore-context.js'

afterAll(removeCases)

const logger = testLogger()
let counter = 0

/** Runs a recipe's backup in-process into a fresh staging directory and returns its parts as the restore gets them. */
async function backUp(backup: (sink: StagingDirectory) => Promise<void>): Promise<VerifiedPart[]> {
  const dir = await caseTempDir('sb-host-side-parts-')
  const sink = new StagingDirectory(dir, `app--host--20260101T00000${counter++}Z-abcd`, logger)
  await backup(sink)
  return sink.parts.map(record => ({ record, on: 'runner' as const, path: join(dir, record.file) }))
}

function incrementalPlan(stateDir: string, level: number): IncrementalPlan {
  return {
    level,
    chain: [],
    baseStartedAt: '',
    fullEveryDays: 7,
    reason: 'test',
    stateDir,
    snapshotFor: part => ({ level, next: join(stateDir, `${part}.${level}.snar`), ...(level > 0 ? { previous: join(stateDir, `${part}.${level - 1}.snar`) } : {}) })
  }
}

async function tabbyHome(): Promise<string> {
  const base = await caseTempDir('sb-host-side-tabby-')
  const home = await createTabbyHome(join(base, 'tabby'), { eventDays: 3, eventsPerDay: 10, modelBytes: 10_000 })
  // Another user's files with their own modes: the restore must give them back as they were.
  shell('chown -R 4321:4321 -- "$1"; chmod 750 -- "$1"; chmod 640 -- "$1/ee/db.sqlite"', home.root)
  return home.root
}

/** What a host looks like after a while: strays, edits and deletions, root's own files, the kept models changed. */
function drift(root: string): void {
  shell(
    [
      'cd -- "$1"; printf stray > stray.txt; printf stray > ee/stray; mkdir -p new-dir/deeper; printf x > new-dir/deeper/file',
      'for file in events/*.json; do printf "changed\\n" > "$file"; done; rm -rf -- ee/jobs',
      'printf kept > models/added-after-the-backup.bin; chown 0:0 -- . config.toml 2>/dev/null || chown 0:0 -- .; chmod 755 -- .',
      'sqlite3 ee/db.sqlite "DELETE FROM user_events"'
    ].join('\n'),
    root
  )
}

describe('a genuine Tabby backup restores exactly', () => {
  it('home, events, jobs and db: strays gone, edits undone, kept models kept, owners and modes as backed up', async () => {
    const root = await tabbyHome()
    const options = tabbyRecipe.parseOptions({ 'tabby-root': root, compression: 'zstd' })
    const parts = await backUp(sink => tabbyRecipe.backup(host, options, sink, { logger }))
    expect(parts.map(part => part.record.name)).toEqual(['db', 'events', 'jobs', 'home'])
    const tree = await treeOf(root)
    const tables = sqliteTableDigest(join(root, 'ee/db.sqlite'))
    drift(root)
    expect(await treeOf(root)).not.toEqual(tree)
    const report = await restoring(host, logger, context => tabbyRecipe.restore(host, options, parts, manifestOf('tabby', parts, tabbyRecipe.describeOptions(options)), context))
    expect(report).toEqual(['home restored', 'events restored into events', 'jobs restored into ee/jobs', expect.stringContaining('db restored')])
    expect(await treeOf(root)).toEqual(tree)
    expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(tables)
    expect(shell('cd -- "$1"; stat -c "%u:%g %a" . ee ee/db.sqlite; cat models/added-after-the-backup.bin', root)).toBe('4321:4321 750\n4321:4321 755\n4321:4321 640\nkept')
    expect(await leftovers(root)).toEqual([])
    expect(logger.warnings).toEqual([])
  })

  it('an incremental chain: each level in order, the files deleted between them gone', async () => {
    const root = await tabbyHome()
    const stateDir = await caseTempDir('sb-host-side-state-')
    const options = tabbyRecipe.parseOptions({ 'tabby-root': root, compression: 'gzip' })
    const backUpLevel = (level: number): Promise<VerifiedPart[]> => backUp(sink => tabbyRecipe.backup(host, options, sink, { logger, incremental: incrementalPlan(stateDir, level) } as RecipeContext))
    const full = await backUpLevel(0)
    shell('cd -- "$1"; rm -f -- events/*.json; set -- ee/jobs/*; rm -rf -- "$1"; printf "later\\n" > events/later.json; printf "new\\n" > logs-later.txt', root)
    const increment = await backUpLevel(1)
    const tree = await treeOf(root)
    drift(root)
    expect(await treeOf(root)).not.toEqual(tree)
    const parts = increment.map(part => (part.record.incremental ? { ...part, chain: [full.find(link => link.record.name === part.record.name)!] } : part))
    expect(parts.filter(part => part.chain).map(part => part.record.name)).toEqual(['events', 'jobs', 'home'])
    await restoring(host, logger, context => tabbyRecipe.restore(host, options, parts, manifestOf('tabby', parts, tabbyRecipe.describeOptions(options)), context))
    expect(await treeOf(root)).toEqual(tree)
    expect(await leftovers(root)).toEqual([])
  })
})

describe('odd names', () => {
  it('a root and files whose names hold quotes, line breaks, dashes, globs and non-ASCII letters', async () => {
    const base = await caseTempDir('sb-host-side-odd-')
    const root = join(base, "ta'b\nby $(x) *")
    shell(
      [
        'mkdir -p -- "$1/ee" "$1/-rf" "$1/kept*"; cd -- "$1"',
        "printf a > \"$(printf 'line\\nbreak')\"; printf b > -n; printf c > \"it's \\\"q\\\"\"; printf d > 'ünï cøde'; printf e > '-rf/*'",
        'ln -s "$(printf "line\\nbreak")" link; printf kept > "kept*/file"; printf f > ee/config'
      ].join('\n'),
      root
    )
    const options = tabbyRecipe.parseOptions({ 'tabby-root': root, compression: 'zstd', exclude: 'kept*' })
    const parts = await backUp(sink => tabbyRecipe.backup(host, options, sink, { logger }))
    const tree = await fingerprintTree(root, { exclude: ['kept*'] })
    shell('cd -- "$1"; rm -f -- -n; printf x > "$(printf "new\\nstray")"; printf changed > "kept*/file"', root)
    await restoring(host, logger, context => tabbyRecipe.restore(host, options, parts, manifestOf('tabby', parts, tabbyRecipe.describeOptions(options)), context))
    expect(await fingerprintTree(root, { exclude: ['kept*'] })).toEqual(tree)
    expect(shell('cat -- "$1/kept*/file"', root)).toBe('changed')
    expect(await leftovers(root)).toEqual([])
  })
})

describe('a genuine SeaTable data and compose backup restores exactly', () => {
  it("data equals the backup but for the vendor's excludes, which stay as the host has them; compose equals the backup", async () => {
    const base = await caseTempDir('sb-host-side-seatable-')
    const root = join(base, 'seatable'),
      composeDir = join(base, 'compose')
    shell(
      [
        'mkdir -p -- "$1"/{conf,seafile-data/storage,storage-data,ccnet,logs,db-data,pids,scripts} "$2"',
        'printf "settings\\n" > "$1/conf/seahub_settings.py"; printf block > "$1/seafile-data/storage/block"; ln -s ../conf "$1/storage-data/conf-link"',
        'printf "log\\n" > "$1/logs/seahub.log"; printf "secret=1\\n" > "$2/.env"; chmod 600 -- "$2/.env"; printf "services: {}\\n" > "$2/seatable-server.yml"',
        'chown -R 4321:4321 -- "$1"'
      ].join('\n'),
      root,
      composeDir
    )
    const options = {
      ...seatableRecipe.parseOptions({ 'seatable-layout': 'current', 'db-mode': 'direct', 'seatable-root': root, 'compose-dir': composeDir, compression: 'zstd' }),
      dtableDbBackup: false,
      dataExcludes: [...LAYOUTS.current.dataExcludes],
      compression: 'zstd' as const
    }
    const parts = await backUp(sink => seatableRecipe.backup(host, options, sink, { logger }))
    expect(parts.map(part => part.record.name)).toEqual(['data', 'compose'])
    const before = { data: await fingerprintTree(root, { exclude: options.dataExcludes }), compose: await fingerprintTree(composeDir) }
    shell(
      'printf stray > "$1/stray"; rm -f -- "$1/conf/seahub_settings.py"; printf "newer log\\n" > "$1/logs/seahub.log"; printf x > "$2/docker-compose.override.yml"; chown 0:0 -- "$1"',
      root,
      composeDir
    )
    const manifest = manifestOf('seatable', parts, seatableRecipe.describeOptions(options))
    expect(seatableRecipe.acceptManifest(options, manifest)).toEqual([])
    await restoring(host, logger, context => seatableRecipe.restore(host, options, parts, manifest, context))
    expect({ data: await fingerprintTree(root, { exclude: options.dataExcludes }), compose: await fingerprintTree(composeDir) }).toEqual(before)
    expect(shell('cat -- "$1/logs/seahub.log"; stat -c %u -- "$1" "$1/conf"', root)).toBe('newer log\n4321\n4321\n')
    expect(ownerOf(join(composeDir, '.env'))).toBe('0:0')
    expect([...(await leftovers(root)), ...(await leftovers(composeDir))]).toEqual([])
  })
})

describe('over ssh, as root through sudo (the production path)', () => {
  let sshd: TestHost
  let transport: SshTransport

  beforeAll(async () => {
    sshd = await startTestHost()
    const settings = {
      target: { host: sshd.host, port: sshd.port, user: sshd.user },
      privateKey: sshd.clientPrivateKey,
      knownHosts: sshd.knownHosts,
      insecureSkipHostKeyCheck: false,
      sudo: true,
      tempRoot: await caseTempDir('sb-host-side-ssh-')
    }
    transport = new SshTransport(settings, logger)
    await transport.open()
  }, 60_000)

  afterAll(async () => {
    await transport?.close()
    await sshd?.stop()
  })

  it('restores a genuine Tabby backup exactly', async () => {
    const root = await tabbyHome()
    const options = tabbyRecipe.parseOptions({ 'tabby-root': root, compression: 'zstd' })
    const parts = await backUp(sink => tabbyRecipe.backup(host, options, sink, { logger }))
    const tree = await treeOf(root)
    drift(root)
    await restoring(transport, logger, context => tabbyRecipe.restore(transport, options, parts, manifestOf('tabby', parts, tabbyRecipe.describeOptions(options)), context))
    expect(await treeOf(root)).toEqual(tree)
    expect(shell('stat -c "%u:%g %a" -- "$1"', root)).toBe('4321:4321 750\n')
  })

  forged('refuses an escaping link over ssh too, the root unchanged', async () => {
    const root = await tabbyHome()
    const source = await caseTempDir('sb-host-side-source-')
    shell('cd -- "$1"; ln -s . x; ln -s x/x/../../.. y', source)
    const part = tarPart('home', tarball(source, join(await caseTempDir('sb-host-side-tarball-'), 'home.tar.zst')))
    const before = await treeOf(root)
    const options = tabbyRecipe.parseOptions({ 'tabby-root': root, compression: 'zstd' })
    await expect(restoring(transport, logger, context => tabbyRecipe.restore(transport, options, [part], manifestOf('tabby', [part], {}), context))).rejects.toThrow(VerificationError)
    expect(await treeOf(root)).toEqual(before)
    expect(await leftovers(root)).toEqual([])
  })
})
