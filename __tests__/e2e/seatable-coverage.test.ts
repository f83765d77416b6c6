/**
 * A SeaTable 6.2 install as its compose project lays it out, with SeaTable AI and an n8n beside it: the
 * backup holds AI's volume (and a restore brings it back), names what it does not hold (strict refuses),
 * records the version, refuses S3 storage unless told to skip it, and says when the .env lacks SECRET_KEY.
 */
import { readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints } from '../../scripts/fixtures/fingerprint.mjs'
import type { Manifest } from '../../src/kernel/manifest.js'
import { expectSuccess, runAction } from '../support/action-runner.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'
import { seatableActionInputs, seatableFiles, startSeaTableBed, type SeaTableBed } from '../support/seatable-bed.js'

const IMAGE = 'seatable/seatable-enterprise:6.2.3'
let server: MariaDbServer
let bed: SeaTableBed
let store: string

beforeAll(async () => {
  server = await startMariaDb()
  bed = await startSeaTableBed(server, 'current', { user: 'sbseatcov', layout: { seatableImage: IMAGE, withAi: true, withN8n: true, secretKey: false } })
  const seatable = bed.layout.containers.seatable
  await bed.shim.setContainers({ ...bed.containers, [seatable]: { kind: 'seatable', dataRoot: bed.layout.root, image: IMAGE } })
  store = await mkdtemp(join(tmpdir(), 'sb-seatable-coverage-'))
}, 120_000)

afterAll(async () => {
  await bed?.stop()
  await server?.stop()
  if (store) await rm(store, { recursive: true, force: true })
})

const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({ ...seatableActionInputs(bed, server, 'docker'), store: 'local', 'store-path': store, ...extra })
const backupInputs = (extra: Record<string, string> = {}): Record<string, string> => inputs({ verify: 'checksum', 'allow-unencrypted-secrets': 'true', ...extra })
const storedBackups = (): string[] => readdirSync(store).filter(entry => !entry.startsWith('.'))

it("backs up SeaTable AI's volume as the ai part, records the version, names n8n and the missing SECRET_KEY, and restores the volume", async () => {
  const backup = await runAction('action.yml', backupInputs())
  expectSuccess(backup)
  const manifest = JSON.parse(await readFile(backup.outputs.manifest, 'utf8')) as Manifest
  expect(manifest.parts.map(part => part.name)).toEqual(expect.arrayContaining(['data', 'compose', 'caddy', 'ai']))
  expect(manifest.application).toEqual({ image: IMAGE, version: '6.2.3', recipe: 1 })
  expect(backup.outputs['app-version']).toBe('6.2.3')
  const base = bed.layout.base
  expect(manifest.notCovered).toEqual([
    `n8n (n8nio/n8n:1.90.2): ${base}/opt/n8n-data (mounted at /home/node/.n8n) is not in this backup`,
    'n8n-postgres (postgres:16.4): the docker volume n8n_postgres is not in this backup',
    expect.stringContaining(`${bed.layout.envFile} has no SECRET_KEY, which SeaTable 6.2 and later read from it`)
  ])
  expect(backup.stdout).toContain('::warning::This backup will not hold everything the install keeps:')
  expect(backup.summary).toContain(`- ⚠️ not covered: n8n (n8nio/n8n:1.90.2): ${base}/opt/n8n-data (mounted at /home/node/.n8n) is not in this backup`)
  expect(backup.summary).toContain('Application version: 6.2.3 (image seatable/seatable-enterprise:6.2.3).')

  const atBackup = await seatableFiles(bed.layout)
  await rm(join(bed.layout.aiDir!, 'seatable-ai', 'data'), { recursive: true, force: true })
  await writeFile(join(bed.layout.aiDir!, 'stray.txt'), 'written after the backup\n')
  const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backup.outputs['backup-id'], parts: 'ai' })
  expectSuccess(restore)
  expect(restore.summary).toContain(`ai: make ${bed.layout.aiDir} equal to the backup`)
  expect(diffFingerprints(atBackup.ai, (await seatableFiles(bed.layout)).ai)).toEqual([])
})

it('with coverage: strict, refuses before any work to back up an install with parts it would not hold', async () => {
  const before = storedBackups()
  const strict = await runAction('action.yml', backupInputs({ coverage: 'strict' }))
  expect(strict.exitCode).toBe(1)
  expect(strict.stdout).toContain(`not covered: n8n (n8nio/n8n:1.90.2): ${bed.layout.base}/opt/n8n-data (mounted at /home/node/.n8n) is not in this backup`)
  expect(strict.stdout).toContain('set coverage: report to back up the rest')
  expect(strict.stdout).not.toContain('Dump of')
  expect(storedBackups()).toEqual(before)
})

it('refuses a backup of SeaTable on S3 storage, naming the buckets; with seatable-s3: skip it backs up the rest and says the buckets are not in it', async () => {
  const envFile = bed.layout.envFile!
  const env = await readFile(envFile, 'utf8')
  const secret = 'FAKE-s3-secret-never-read-back'
  try {
    await writeFile(
      envFile,
      env.replace(/^COMPOSE_FILE='([^']*)'/m, "COMPOSE_FILE='$1,seatable-s3.yml'") + `S3_STORAGE_BUCKET='example-seatable-storage'\nS3_FS_BUCKET='example-seatable-fs'\nS3_SECRET_KEY='${secret}'\n`
    )
    await writeFile(join(bed.layout.composeDir!, 'seatable-s3.yml'), 'services:\n  seatable-server:\n    environment:\n      - S3_SECRET_KEY=${S3_SECRET_KEY}\n')
    const before = storedBackups()
    const refused = await runAction('action.yml', backupInputs())
    expect(refused.exitCode).toBe(1)
    expect(refused.stdout).toContain('SeaTable keeps files in S3, not on this disk: COMPOSE_FILE includes seatable-s3.yml')
    expect(refused.stdout).toContain('(example-seatable-storage, example-seatable-fs)')
    expect(refused.stdout).toContain('then set seatable-s3: skip to back up the rest')
    expect(storedBackups()).toEqual(before)

    const skipped = await runAction('action.yml', backupInputs({ 'seatable-s3': 'skip' }))
    expectSuccess(skipped)
    const manifest = JSON.parse(await readFile(skipped.outputs.manifest, 'utf8')) as Manifest
    expect(manifest.notCovered).toContain(
      "SeaTable keeps files in S3 (COMPOSE_FILE includes seatable-s3.yml: base snapshots, files, pictures and avatars are in S3), and the buckets example-seatable-storage, example-seatable-fs are not in this backup (seatable-s3: skip): back them up with your object storage's own tools"
    )
    for (const text of [refused.stdout, refused.summary, skipped.stdout, skipped.summary, JSON.stringify(manifest)]) expect(text).not.toContain(secret)
  } finally {
    await writeFile(envFile, env)
    await rm(join(bed.layout.composeDir!, 'seatable-s3.yml'), { force: true })
  }
})
