/**
 * What a SeaTable install keeps beyond the documented backup, read from its real compose project and
 * configuration files (the fixture lays them out as SeaTable's release repository does) through the local
 * transport: SeaTable AI's volume, components nobody's SeaTable backup covers, S3 storage, missing secrets.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSeaTableLayout, type SeaTableLayout } from '../../scripts/fixtures/seatable/seatable-layout.mjs'
import { surveySeaTable } from '../../src/recipes/seatable-coverage.js'
import { LocalTransport } from '../../src/transport/local.js'
import { recordingLogger } from '../support/transport-probes.js'

const bases: string[] = []
afterAll(async () => {
  for (const base of bases) await rm(base, { recursive: true, force: true })
})

async function layoutWith(options: Parameters<typeof createSeaTableLayout>[1]): Promise<SeaTableLayout> {
  const base = await mkdtemp(join(tmpdir(), 'sb-coverage-'))
  bases.push(base)
  return createSeaTableLayout(base, { layout: 'current', smallFiles: 5, largeFiles: 0, ...options })
}

const host = new LocalTransport({ sudo: false })
const survey = (layout: SeaTableLayout, version?: string) => {
  const logger = recordingLogger()
  const places = { root: layout.root, composeDir: layout.composeDir ?? '', caddyDir: layout.caddyDir ?? '', dbContainer: 'mariadb' }
  return surveySeaTable(host, places, Promise.resolve(version), logger).then(result => ({ result, logger }))
}

it('finds nothing uncovered in the documented install: data, compose and caddy are backed up, MariaDB by its dumps, redis is a cache', async () => {
  const layout = await layoutWith({})
  const { result, logger } = await survey(layout, '5.2.8')
  expect(result).toEqual({
    aiDir: '',
    notCovered: [],
    components: [
      'caddy (lucaslorentz/caddy-docker-proxy:2.9.1-alpine): in the data, compose or caddy part',
      'seatable-server (seatable/seatable-enterprise:5.2.8): in the data, compose or caddy part',
      'mariadb (mariadb:11.4.3-noble): its databases are in the SQL dumps'
    ]
  })
  expect(logger.lines.join('\n')).toContain('SeaTable components (compose):')
})

it("finds SeaTable AI's volume, names n8n's bind mount and its PostgreSQL's docker volume, and a 6.2 .env without SECRET_KEY", async () => {
  const layout = await layoutWith({ seatableImage: 'seatable/seatable-enterprise:6.2.3', withAi: true, withN8n: true, secretKey: false })
  const { result } = await survey(layout, '6.2.3')
  expect(result.aiDir).toBe(layout.aiDir)
  expect(result.notCovered).toEqual([
    `n8n (n8nio/n8n:1.90.2): ${layout.base}/opt/n8n-data (mounted at /home/node/.n8n) is not in this backup`,
    'n8n-postgres (postgres:16.4): the docker volume n8n_postgres is not in this backup',
    `${layout.envFile} has no SECRET_KEY, which SeaTable 6.2 and later read from it: a restore of this backup would lose every login session and third-party account link (add it to the .env as SeaTable's upgrade notes say)`
  ])
  expect(result.components).toContain('seatable-ai (seatable/seatable-ai:6.2.3): the ai part')
  // With the key present, and on a version before 6.2, nothing is missing.
  const withKey = await layoutWith({ seatableImage: 'seatable/seatable-enterprise:6.2.3' })
  expect((await survey(withKey, '6.2.3')).result.notCovered).toEqual([])
  expect((await survey(layout, '6.1.0')).result.notCovered.filter(line => line.includes('SECRET_KEY'))).toEqual([])
})

it('detects S3 storage from COMPOSE_FILE and the storage server config, names the buckets, and never reads the S3 keys back', async () => {
  const layout = await layoutWith({ s3: true })
  const env = await readFile(layout.envFile!, 'utf8')
  const secret = /S3_SECRET_KEY='([^']+)'/.exec(env)![1]
  const keyId = /S3_KEY_ID='([^']+)'/.exec(env)![1]
  const { result, logger } = await survey(layout, '6.2.3')
  expect(result.s3).toEqual({
    evidence: ['COMPOSE_FILE includes seatable-s3.yml: base snapshots, files, pictures and avatars are in S3', 'dtable-storage-server.conf: base snapshots (storage-data) are in S3'],
    buckets: ['example-seatable-storage', 'example-seatable-commits', 'example-seatable-fs', 'example-seatable-blocks', 'example-seatable-avatars']
  })
  const everything = JSON.stringify(result) + logger.lines.join('\n')
  expect(everything).not.toContain(secret)
  expect(everything).not.toContain(keyId)
})

it('treats the compose project as host data: names in COMPOSE_FILE that are not files there, broken YAML, and secret-sounding variables in paths', async () => {
  const layout = await layoutWith({})
  const envFile = layout.envFile!
  const env = await readFile(envFile, 'utf8')
  const password = /MARIADB_PASSWORD='([^']+)'/.exec(env)![1]
  await writeFile(envFile, env.replace(/^COMPOSE_FILE=.*$/m, "COMPOSE_FILE='../../../etc/passwd,seatable-server.yml,broken.yml,odd.yml'"))
  await writeFile(join(layout.composeDir!, 'broken.yml'), 'services:\n  x: [unclosed\n')
  await writeFile(join(layout.composeDir!, 'odd.yml'), 'services:\n  odd:\n    image: example/odd:1\n    volumes:\n      - ${MARIADB_PASSWORD}/data:/data\n      - /srv/odd-data:/more\n')
  const { result } = await survey(layout, '5.2.8')
  expect(result.notCovered[0]).toBe(
    `compose project ${layout.composeDir}: "../../../etc/passwd" in COMPOSE_FILE is not a compose file name in ${layout.composeDir}, so what its components keep is unknown`
  )
  expect(result.notCovered[1]).toMatch(/^compose project .*: broken\.yml is not valid YAML \(.*\), so what its components keep is unknown$/)
  expect(result.notCovered.slice(2)).toEqual(['odd (example/odd:1): /data (mounted at /data) is not in this backup', 'odd (example/odd:1): /srv/odd-data (mounted at /more) is not in this backup'])
  expect(JSON.stringify(result)).not.toContain(password)
})
