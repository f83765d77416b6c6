/**
 * A stored backup damaged after it was made (issue 6): a part with flipped bytes, cut short or gone,
 * a chunk of a chunked part flipped, gone or two swapped (issue 12), the manifest gone, cut short, or edited (a sha256, a size, an extra part). In the local store and in
 * the GitHub store (the results-service emulator), a restore must refuse before it touches the host,
 * leaving the host's data byte-identical (no stop-command run, no safety copy), with an error that says
 * what is wrong and what to do.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
import { expectSuccess, runAction, type ActionRun } from '../support/action-runner.js'
import { errorText, faultCase, runnerLeftovers } from '../support/fault-checks.js'
import { runClients, startResultsService, type ResultsService } from '../support/results-service/index.js'
import { addIncompressibleLog, makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

const SUITE = '__tests__/faults/stored-damage.test.ts'

let base: string
let root: string
let scratch: string
/** The one good backup every case copies and damages. */
let goodStore: string
let backupId: string
let service: ResultsService

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 2 })
  base = made.base
  root = made.home.root
  scratch = await mkdtemp(join(tmpdir(), 'sb-stored-damage-'))
  goodStore = join(scratch, 'good-store')
  service = await startResultsService()
  // The home part, with 3 MiB that do not compress, is stored in 1 MiB chunks: the chunk cases damage those.
  addIncompressibleLog(root, 3 * 1024 * 1024)
  const backup = await runAction('action.yml', { app: 'tabby', transport: 'local', 'tabby-root': root, store: 'local', 'store-path': goodStore, verify: 'checksum', 'chunk-size': '1M' })
  expectSuccess(backup)
  backupId = backup.outputs['backup-id']
}, 120_000)

afterAll(async () => {
  await service?.stop()
  for (const dir of [base, scratch]) if (dir) await rm(dir, { recursive: true, force: true })
})

interface PartRecord {
  name: string
  file: string
  bytes: number
  sha256: string
}
interface ManifestShape {
  parts: PartRecord[]
}

const fileOf = (part: string): string => readdirSync(join(goodStore, backupId)).find(file => file.startsWith(`${backupId}.${part}.`) && !file.includes('.chunk-')) ?? `(no ${part} part)`
const chunkOf = (part: string, number: number): string =>
  readdirSync(join(goodStore, backupId)).find(file => file.startsWith(`${backupId}.${part}.`) && file.endsWith(`.chunk-${String(number).padStart(4, '0')}`)) ?? `(no chunk ${number} of ${part})`

async function flipBytes(path: string): Promise<void> {
  const bytes = await readFile(path)
  for (let index = bytes.length >> 1; index < (bytes.length >> 1) + 16 && index < bytes.length; index++) bytes[index] ^= 0xff
  await writeFile(path, bytes)
}
const manifestName = (): string => `${backupId}.manifest.json`

async function editManifest(dir: string, edit: (manifest: ManifestShape) => void): Promise<void> {
  const path = join(dir, manifestName())
  const manifest = JSON.parse(await readFile(path, 'utf8')) as ManifestShape
  edit(manifest)
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`)
}

const part = (manifest: ManifestShape, name: string): PartRecord => {
  const found = manifest.parts.find(candidate => candidate.name === name)
  if (!found) throw new Error(`the backup has no ${name} part`)
  return found
}

interface Damage {
  name: string
  /** Damages the copy of the backup in `dir`. */
  apply(dir: string): Promise<void>
  /** What the error must say: the damage, then the fix. */
  says: () => RegExp[]
  /** Refused by the signature check after the fetch, the same code whatever store the manifest came from. */
  signatureOnly?: boolean
}

/** Each block of a stored file is checked as it streams: the error names the first block that differs, or the size the store holds. */
const damaged = (file: () => string, how: 'changed' | 'short' = 'changed'): RegExp[] => [
  new RegExp(`The backup ${backupId} is damaged; nothing on the host was changed`),
  new RegExp(
    `${file().replace(/\./g, '\\.')}: ${how === 'changed' ? 'block \\d+ of \\d+ \\(bytes \\d+ to \\d+\\) has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}' : 'expected \\d+ bytes, the store holds 100\\b'}`
  ),
  /How to fix: restore another backup \(set backup-id\)/
]
/** An edited manifest no longer matches its signature: refused before any part is looked at. */
const altered = (): RegExp[] => [
  new RegExp(`The manifest of ${backupId} was altered after it was signed .*nothing on the host was changed`),
  /How to fix: restore a backup this repository's backup job made/
]
const missing = (file: () => string): RegExp[] => [
  new RegExp(`${file().replace(/\./g, '\\.')} is missing from .*Nothing on the host was changed`),
  /How to fix: the backup is incomplete.*pick another backup-id/
]

const DAMAGES: Damage[] = [
  {
    name: 'a part whose bytes were flipped',
    apply: async dir => flipBytes(join(dir, fileOf('db'))),
    says: () => damaged(() => fileOf('db'))
  },
  {
    name: 'a chunk whose bytes were flipped',
    apply: async dir => flipBytes(join(dir, chunkOf('home', 2))),
    says: () => damaged(() => chunkOf('home', 2))
  },
  {
    name: 'a chunk missing',
    apply: async dir => rm(join(dir, chunkOf('home', 3))),
    says: () => missing(() => chunkOf('home', 3))
  },
  {
    name: 'two chunks swapped',
    async apply(dir) {
      const [first, second] = [join(dir, chunkOf('home', 1)), join(dir, chunkOf('home', 2))]
      const [one, two] = [await readFile(first), await readFile(second)]
      await writeFile(first, two)
      await writeFile(second, one)
    },
    says: () => damaged(() => chunkOf('home', 1))
  },
  {
    name: 'a part cut short',
    apply: async dir => truncate(join(dir, fileOf('events')), 100),
    says: () => damaged(() => fileOf('events'), 'short')
  },
  {
    name: 'a part missing',
    apply: async dir => rm(join(dir, fileOf('jobs'))),
    says: () => missing(() => fileOf('jobs'))
  },
  {
    name: 'its manifest missing',
    apply: async dir => rm(join(dir, manifestName())),
    says: () => [new RegExp(`Input 'backup-id': no complete backup ${backupId} was found in the (local|github) store`), /How to fix: /]
  },
  {
    name: 'its manifest cut short',
    async apply(dir) {
      const path = join(dir, manifestName())
      await truncate(path, Math.floor((await readFile(path)).length / 2))
    },
    says: () => [/The manifest of \S+ is not valid JSON/, /How to fix: the stored backup is damaged; pick another backup-id/]
  },
  {
    name: "its manifest edited: a part's sha256 changed",
    apply: async dir =>
      editManifest(dir, manifest => {
        const record = part(manifest, 'jobs')
        record.sha256 = `${record.sha256[0] === '0' ? '1' : '0'}${record.sha256.slice(1)}`
      }),
    says: altered,
    signatureOnly: true
  },
  {
    name: "its manifest edited: a part's size changed",
    apply: async dir =>
      editManifest(dir, manifest => {
        part(manifest, 'db').bytes += 1
      }),
    says: altered,
    signatureOnly: true
  },
  {
    name: 'its manifest edited: a part added that was never stored',
    apply: async dir =>
      editManifest(dir, manifest => {
        manifest.parts.push({ ...part(manifest, 'events'), name: 'extra', file: `${backupId}.extra.tar.zst` })
      }),
    says: altered,
    signatureOnly: true
  }
]

/** A fresh copy of the good backup's files, to damage. */
async function copyOfGoodBackup(): Promise<string> {
  const dir = await mkdtemp(join(scratch, 'copy-'))
  execFileSync('cp', ['-a', `${join(goodStore, backupId)}/.`, dir])
  return dir
}

interface StoreKind {
  name: 'local' | 'github'
  /** Puts the (damaged) files of one backup into a fresh store; returns the restore inputs and env that read it. */
  store(files: string): Promise<{ inputs: Record<string, string>; env: Record<string, string>; githubToken?: string }>
}

const STORES: StoreKind[] = [
  {
    name: 'local',
    async store(files) {
      const store = await mkdtemp(join(scratch, 'store-'))
      execFileSync('mv', [files, join(store, backupId)])
      return { inputs: { store: 'local', 'store-path': store }, env: {} }
    }
  },
  {
    name: 'github',
    // Each file its own single-file artifact, uploaded by the real client into a fresh run, as the backup action stores them.
    async store(files) {
      const run = service.newRun()
      const names = readdirSync(files)
      const uploaded = await runClients(
        run.env(),
        names.map(name => ({ op: 'upload' as const, name, files: [join(files, name)], rootDirectory: files, skipArchive: true }))
      )
      const failed = uploaded.results.filter(result => !result.ok)
      if (failed.length > 0) throw new Error(`uploading the damaged copy failed:\n${uploaded.output}`)
      // Restored from another run, as a restore job would: listing and downloads through the REST API.
      return { inputs: { store: 'github', 'run-id': String(run.runId) }, env: service.newRun().env(), githubToken: service.githubToken }
    }
  }
]

/** The host's data, and whether the restore started changing it (stop-command, safety copy). */
async function hostState(): Promise<{ tree: Awaited<ReturnType<typeof treeOf>>; database: ReturnType<typeof sqliteTableDigest> }> {
  return { tree: await treeOf(root), database: sqliteTableDigest(join(root, 'ee/db.sqlite')) }
}

async function restore(kind: StoreKind, files: string, options: { dryRun?: boolean } = {}): Promise<{ run: ActionRun; stopped: string }> {
  const { inputs, env, githubToken } = await kind.store(files)
  const stopped = join(scratch, `stop-command-ran-${Date.now()}`)
  const run = await runAction(
    'restore/action.yml',
    {
      app: 'tabby',
      transport: 'local',
      'tabby-root': root,
      'backup-id': backupId,
      'stop-command': `touch ${stopped}`,
      ...inputs,
      ...(options.dryRun ? { 'dry-run': 'true' } : {})
    },
    env,
    { githubToken, keepRunnerTemp: true }
  )
  return { run, stopped }
}

for (const kind of STORES) {
  describe(`a damaged backup in the ${kind.name} store`, () => {
    it('is restorable when undamaged (the copy the cases damage is sound)', async () => {
      const { run } = await restore(kind, await copyOfGoodBackup(), { dryRun: true })
      expectSuccess(run)
      expect(await runnerLeftovers(run)).toEqual([])
    })

    // An edited manifest fails its signature check after the fetch, the same code whatever store it came
    // from: those cases run on the local store only. What differs by store (a file damaged, cut short,
    // missing or reordered on its way through the store's client) runs on both.
    for (const damage of DAMAGES.filter(candidate => kind.name === 'local' || candidate.signatureOnly !== true)) {
      faultCase(
        SUITE,
        `refuses to restore a backup with ${damage.name} (${kind.name} store), before touching the host`,
        async () => {
          const files = await copyOfGoodBackup()
          await damage.apply(files)
          const before = await hostState()
          const { run, stopped } = await restore(kind, files)
          const text = errorText(run)
          expect(run.exitCode).toBe(1)
          for (const pattern of damage.says()) expect(text).toMatch(pattern)
          // Refused before the host was touched: no stop-command, no safety copy, the data byte-identical.
          expect(existsSync(stopped)).toBe(false)
          expect(readdirSync(base)).not.toContain('selfhost-backup-safety')
          const after = await hostState()
          expect(diffFingerprints(before.tree, after.tree)).toEqual([])
          expect(after.database).toEqual(before.database)
          expect(await runnerLeftovers(run)).toEqual([])
        },
        120_000
      )
    }
  })
}
