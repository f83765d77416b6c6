/**
 * Tabby as an app whose data only goes forward: every backup records the image and schema version it came
 * from; a restore compares them with what the host runs before it downloads anything. Also Tabby's
 * housekeeping: pre-migration copies and a moved model cache stay out of home, and the summary says so.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints } from '../../scripts/fixtures/fingerprint.mjs'
import { expectSuccess, runAction } from '../support/action-runner.js'
import { installDockerShim, type DockerShim } from '../support/docker-shim.js'
import { makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

let base: string
let root: string
let store: string
let shim: DockerShim
let schema: number

const MIGRATION_COPY = 'ee/db.backup-20250101.sqlite'
const MODEL_CACHE = 'cache/models'

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby-versions')
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-store-'))
  shim = await installDockerShim({ containers: { tabby: { kind: 'app', image: 'tabbyml/tabby:0.30.1' } } })
  schema = Number(execFileSync('sqlite3', [join(root, 'ee/db.sqlite'), 'SELECT max(version) FROM _sqlx_migrations WHERE success'], { encoding: 'utf8' }).trim())
  // A copy Tabby made before a migration, and models in a cache TABBY_MODEL_CACHE_ROOT moved inside the root.
  await writeFile(join(root, MIGRATION_COPY), Buffer.alloc(64 * 1024, 7))
  await mkdir(join(root, MODEL_CACHE, 'TabbyML'), { recursive: true })
  await writeFile(join(root, MODEL_CACHE, 'TabbyML', 'model.gguf'), Buffer.alloc(32 * 1024, 3))
})

afterAll(async () => {
  await shim?.remove()
  if (base) await rm(base, { recursive: true, force: true })
  if (store) await rm(store, { recursive: true, force: true })
})

const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({ app: 'tabby', transport: 'local', 'tabby-root': root, store: 'local', 'store-path': store, ...extra })
const env = (): Record<string, string> => ({ PATH: `${shim.binDir}:${process.env.PATH}`, TABBY_MODEL_CACHE_ROOT: join(root, MODEL_CACHE) })
const runningImage = (image: string): Promise<void> => shim.setContainers({ tabby: { kind: 'app', image } })

function homeEntries(backupId: string): string[] {
  return execFileSync('tar', ['--zstd', '-tf', join(store, backupId, `${backupId}.home.tar.zst`)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
}

async function backUp(extra: Record<string, string> = {}): Promise<{ backupId: string; summary: string; application: unknown }> {
  const backup = await runAction('action.yml', inputs(extra), env())
  expectSuccess(backup)
  const manifest = JSON.parse(await readFile(backup.outputs.manifest, 'utf8')) as { application: unknown }
  return { backupId: backup.outputs['backup-id'], summary: backup.summary, application: manifest.application }
}

it('records the image, release and schema version; leaves pre-migration copies and the moved model cache out of home, and says so', async () => {
  await runningImage('tabbyml/tabby:0.30.1')
  const backup = await runAction('action.yml', inputs(), env())
  expectSuccess(backup)
  const backupId = backup.outputs['backup-id']
  const manifest = JSON.parse(await readFile(backup.outputs.manifest, 'utf8'))
  expect(schema).toBeGreaterThan(10)
  expect(manifest.application).toEqual({ image: 'tabbyml/tabby:0.30.1', version: '0.30.1', schema, recipe: 1 })
  expect(backup.outputs['app-version']).toBe('0.30.1')
  expect(backup.summary).toContain(`Application version: 0.30.1 (image tabbyml/tabby:0.30.1, schema ${schema}).`)
  expect(backup.summary).toContain('**Not in this backup**')
  expect(backup.summary).toContain(`home: left out 1 pre-migration copy of the database (${MIGRATION_COPY}; 64.0 KiB)`)
  const entries = homeEntries(backupId)
  expect(entries).toContain('./config.toml')
  expect(entries.filter(entry => entry.includes('db.backup-') || entry.startsWith(`./${MODEL_CACHE}`))).toEqual([])
  expect(manifest.options.exclude).toEqual(['models', 'index', 'repositories', MODEL_CACHE])

  const kept = await runAction('action.yml', inputs({ 'tabby-keep-migration-copies': 'true' }), env())
  expectSuccess(kept)
  expect(homeEntries(kept.outputs['backup-id'])).toContain(`./${MIGRATION_COPY}`)
  expect(kept.summary).not.toContain('Not in this backup')
})

it('restores onto a host that runs a newer image with a warning, before anything changes, that names the image the data came from; the host keeps its own migration copies', async () => {
  await runningImage('tabbyml/tabby:0.30.1')
  const { backupId } = await backUp()
  await runningImage('tabbyml/tabby:0.31.0')
  await writeFile(join(root, 'config.toml'), 'changed after the backup\n')
  const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backupId }, env())
  expectSuccess(restore)
  const warning = restore.stdout.indexOf('::warning::The data belongs to Tabby 0.30.1')
  expect(warning).toBeGreaterThanOrEqual(0)
  expect(restore.stdout.slice(warning).split('\n')[0]).toContain('with the version it came from, 0.30.1 (image tabbyml/tabby:0.30.1)')
  expect(warning).toBeLessThan(restore.stdout.indexOf('Downloading, verifying and staging'))
  expect(restore.outputs['app-version']).toBe('0.30.1')
  expect(restore.summary).toContain(`The data belongs to Tabby 0.30.1 (image tabbyml/tabby:0.30.1, schema ${schema}); the host runs 0.31.0 (image tabbyml/tabby:0.31.0, schema ${schema}).`)
  expect(await readFile(join(root, 'config.toml'), 'utf8')).not.toBe('changed after the backup\n')
  expect(existsSync(join(root, MIGRATION_COPY))).toBe(true)
  expect(existsSync(join(root, MODEL_CACHE, 'TabbyML', 'model.gguf'))).toBe(true)
})

it('refuses a backup made by a newer Tabby than the host runs, before downloading anything, unless allow-version-mismatch is set', async () => {
  await runningImage('tabbyml/tabby:0.30.1')
  const { backupId } = await backUp()
  await runningImage('tabbyml/tabby:0.29.2')
  await writeFile(join(root, 'config.toml'), 'changed after the backup\n')
  const before = await treeOf(root)
  const refused = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backupId }, env())
  expect(refused.exitCode).not.toBe(0)
  expect(refused.stdout).toContain(`::error::${backupId} belongs to a newer Tabby than the host runs (release 0.30.1 against 0.29.2)`)
  expect(refused.stdout).toContain('Nothing was downloaded and nothing on the host was changed')
  expect(refused.stdout).toContain('upgrade Tabby on the host to 0.30.1')
  expect(refused.stdout).toContain('set allow-version-mismatch: true only if you know this version reads that data')
  expect(refused.stdout).not.toContain('Downloading')
  expect(diffFingerprints(before, await treeOf(root))).toEqual([])

  const allowed = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backupId, 'allow-version-mismatch': 'true' }, env())
  expectSuccess(allowed)
  expect(allowed.stdout).toContain('::warning::')
  expect(allowed.stdout).toContain('Restoring anyway (allow-version-mismatch: true)')
  expect(await readFile(join(root, 'config.toml'), 'utf8')).not.toBe('changed after the backup\n')
})

it('without a container, the schema version alone decides: a database migrated past the backup restores with a warning', async () => {
  await shim.setContainers({})
  const { backupId, application } = await backUp()
  expect(application).toEqual({ schema, recipe: 1 })
  execFileSync('sqlite3', [join(root, 'ee/db.sqlite'), `INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (${schema + 1}, 'later', 1, x'00', 1)`])
  const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backupId }, env())
  expectSuccess(restore)
  expect(restore.stdout).toContain(`::warning::The data belongs to Tabby schema ${schema}; the host runs schema ${schema + 1}.`)
  expect(restore.outputs['app-version']).toBe(`schema ${schema}`)
})

it("hands the drill-verified backup's version to the pre-upgrade gate: mode: check outputs app-version", async () => {
  await runningImage('tabbyml/tabby:0.30.1')
  expectSuccess(await runAction('action.yml', inputs({ verify: 'drill' }), env()))
  await runningImage('tabbyml/tabby:0.31.0')
  const gate = await runAction('action.yml', inputs({ mode: 'check', 'max-age': '1h' }), env())
  expectSuccess(gate)
  expect(gate.outputs.verified).toBe('true')
  // The backup's version, not what the host runs now: the gate reports what a rollback would bring back.
  expect(gate.outputs['app-version']).toBe('0.30.1')
  expect(gate.summary).toContain(`Application version: 0.30.1 (image tabbyml/tabby:0.30.1, schema ${schema}).`)
})
