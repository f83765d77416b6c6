/**
 * One contract every Store passes (house rule 3): the local directory store, and the GitHub artifact
 * store driving the real in-process @actions/artifact client against the results-service emulator
 * (Azurite blobs, Twirp and REST on 127.0.0.1). The GitHub-only part covers reading another run's
 * backups with a token, the repository-wide listing, and a wrong token.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as ArtifactClientModule from '@actions/artifact'
import { StoreError } from '../../src/kernel/errors.js'
import { LocalDirectoryStore } from '../../src/store/local-dir.js'
import { S3ObjectStore } from '../../src/store/s3.js'
import { startS3Bed, type S3Bed } from '../support/s3-bed.js'
import type * as StoreSettingsModule from '../../src/store/settings.js'
import type { Store, StoredBackup } from '../../src/store/store.js'
import { startResultsService, type ResultsService, type RunContext } from '../support/results-service/index.js'
import { freshDir, setEnvironment, sha256, sha256File, stageBackup, type StagedBackup } from '../support/store-fixtures.js'
import { recordingLogger } from '../support/transport-probes.js'

interface StoreUnderTest {
  store: Store
  /** Leaves a backup's parts in the store without its manifest, as a crash before the manifest would. */
  leaveIncomplete(staged: StagedBackup): Promise<void>
  /** Where the store would keep a backup (local: its directory), for looking where a removed one was. */
  locationOf?(backupId: string): StoredBackup['location']
  /** How finely the store's creation times tell saves apart (S3's LastModified: whole seconds on AWS): the saves are spaced that far. */
  timeResolutionMs?: number
  dispose?(): void
}

const START = Date.parse('2026-03-01T02:00:00Z')
const minutesIn = (minutes: number): Date => new Date(START + minutes * 60_000)
/**
 * Saved in this order, with stamps deliberately not chronological: the listing orders by when the store
 * received each backup (its own creation time), never by the stamp the uploader wrote into the id.
 */
const SAVES: readonly [app: string, hostId: string, minute: number][] = [
  ['tabby', 'alpha', 20],
  ['tabby', 'alpha', 10],
  ['seatable', 'alpha', 15],
  ['tabby', 'beta-2222', 5],
  ['tabby', 'alpha', 30]
]

let scratch: string
let service: ResultsService
let settingsModule: typeof StoreSettingsModule
let artifactModule: typeof ArtifactClientModule
let restoreApiUrl: () => void
let s3Bed: S3Bed

/** The variables a step of `run` sees, on process.env until the returned function is called. */
function enterRun(run: RunContext): () => void {
  return setEnvironment({ ...run.env(), RUNNER_TEMP: join(scratch, 'runner-temp'), GITHUB_WORKSPACE: scratch })
}

async function inRun<T>(run: RunContext, work: () => Promise<T>): Promise<T> {
  const leave = enterRun(run)
  try {
    return await work()
  } finally {
    leave()
  }
}

function githubStore(settings: { runId?: number; token?: string } = {}): Store {
  return settingsModule.createStore({ kind: 'github', retentionDays: 1, ...settings }, process.env, recordingLogger())
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'store-contract-'))
  await mkdir(join(scratch, 'runner-temp'))
  ;[service, s3Bed] = await Promise.all([startResultsService(), startS3Bed()])
  // @actions/github reads GITHUB_API_URL once, when it is loaded: set it before the first import.
  restoreApiUrl = setEnvironment({ GITHUB_API_URL: service.apiUrl })
  settingsModule = await import('../../src/store/settings.js')
  artifactModule = await import('@actions/artifact')
})
afterAll(async () => {
  restoreApiUrl?.()
  await service?.stop()
  await s3Bed?.stop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

function describeStoreContract(name: string, factory: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    let subject: StoreUnderTest
    let store: Store
    const saved: StagedBackup[] = []
    let incomplete: StagedBackup
    let listed: StoredBackup[]

    beforeAll(async () => {
      subject = await factory()
      store = subject.store
      for (const [app, hostId, minute] of SAVES) {
        if (subject.timeResolutionMs && saved.length > 0) await new Promise(resolve => setTimeout(resolve, subject.timeResolutionMs))
        const staged = await stageBackup(scratch, app, hostId, minutesIn(minute))
        const result = await store.save(staged.request)
        expect(result.items.map(item => item.name)).toEqual([...staged.request.partFiles, staged.request.manifestFile])
        saved.push(staged)
      }
      // Newer than every complete backup, so a listing that showed it would show it first.
      incomplete = await stageBackup(scratch, 'tabby', 'alpha', minutesIn(40))
      await subject.leaveIncomplete(incomplete)
      listed = await store.list()
    })
    afterAll(() => subject?.dispose?.())

    test('lists every saved backup once, newest stored first, with app and hostId parsed from its id', () => {
      const byStoreTime = [...saved].reverse()
      expect(listed.map(backup => backup.backupId)).toEqual(byStoreTime.map(staged => staged.request.backupId))
      for (const staged of byStoreTime) {
        expect(listed.find(backup => backup.backupId === staged.request.backupId)).toMatchObject({ app: staged.app, hostId: staged.hostId })
      }
    })

    test('does not list a backup whose manifest was never saved', async () => {
      expect(listed.map(backup => backup.backupId)).not.toContain(incomplete.request.backupId)
      const [newestTabby] = await store.list({ app: 'tabby', hostId: 'alpha' })
      expect(newestTabby.backupId).toBe(saved[4].request.backupId)
    })

    test('fetches every part and manifest of every backup byte for byte (same sha256)', async () => {
      for (const staged of saved) {
        const backup = listed.find(candidate => candidate.backupId === staged.request.backupId) as StoredBackup
        const destination = await freshDir(scratch, 'fetched')
        for (const [file, digest] of staged.digests) {
          const path = await store.fetch(backup, file, destination)
          expect({ file, path, digest: await sha256File(path) }).toEqual({ file, path: join(destination, file), digest })
        }
      }
    })

    test('streams every part from its start and from any byte on, byte for byte, without writing on the runner', async () => {
      const staged = saved[0]
      const backup = listed.find(candidate => candidate.backupId === staged.request.backupId) as StoredBackup
      for (const file of staged.request.partFiles) {
        const original = await readFile(join(staged.request.dir, file))
        for (const offset of new Set([0, 1, Math.floor(original.length / 2), original.length - 1])) {
          const read = Buffer.concat(await (await store.read(backup, file, offset)).toArray())
          expect({ file, offset, digest: sha256(read) }).toEqual({ file, offset, digest: sha256(original.subarray(offset)) })
        }
      }
    })

    test('filters the listing by app, by hostId, and by both', async () => {
      const ids = async (filter: { app?: string; hostId?: string }): Promise<string[]> => (await store.list(filter)).map(backup => backup.backupId)
      const idsOf = (...indexes: number[]): string[] => indexes.map(index => saved[index].request.backupId)
      expect(await ids({ app: 'seatable' })).toEqual(idsOf(2))
      expect(await ids({ hostId: 'beta-2222' })).toEqual(idsOf(3))
      expect(await ids({ app: 'tabby', hostId: 'alpha' })).toEqual(idsOf(4, 1, 0))
      expect(await ids({ app: 'tabby' })).toEqual(idsOf(4, 3, 1, 0))
      expect(await ids({ app: 'nextcloud' })).toEqual([])
    })

    test('stores parts while a backup is still running, lists it only after commit, and abandon removes its parts', async () => {
      const running = await stageBackup(scratch, 'tabby', 'session', minutesIn(50))
      const session = store.begin(running.request)
      for (const file of running.request.partFiles) session.addPart(file)
      expect((await store.list({ hostId: 'session' })).map(backup => backup.backupId)).toEqual([])
      const result = await session.commit(running.request.manifestFile, running.request.partFiles)
      expect(result.items.map(item => item.name)).toEqual([...running.request.partFiles, running.request.manifestFile])
      const [committed] = await store.list({ hostId: 'session' })
      expect(committed.backupId).toBe(running.request.backupId)

      const failed = await stageBackup(scratch, 'tabby', 'abandoned', minutesIn(51))
      const abandoned = store.begin(failed.request)
      for (const file of failed.request.partFiles) abandoned.addPart(file)
      await abandoned.abandon()
      expect(await store.list({ hostId: 'abandoned' })).toEqual([])
      // Nothing of it can be fetched either, even by someone who knows where it was.
      const guess = { ...committed, backupId: failed.request.backupId, location: subject.locationOf?.(failed.request.backupId) ?? committed.location }
      await expect(store.fetch(guess, failed.request.partFiles[0], await freshDir(scratch, 'abandoned'))).rejects.toBeInstanceOf(StoreError)
    })

    test('fails with a StoreError when asked for a file the backup does not have', async () => {
      const backup = listed[0]
      const missing = store.fetch(backup, `${backup.backupId}.nothing.tar.zst`, await freshDir(scratch, 'missing'))
      await expect(missing).rejects.toBeInstanceOf(StoreError)
      await expect(store.read(backup, `${backup.backupId}.nothing.tar.zst`, 0)).rejects.toBeInstanceOf(StoreError)
    })

    test('deletes a whole backup: no longer listed, none of its files fetchable, the others untouched', async () => {
      const doomed = await stageBackup(scratch, 'tabby', 'doomed', minutesIn(60))
      await store.save(doomed.request)
      const [backup] = await store.list({ hostId: 'doomed' })
      await expect(store.delete(backup)).resolves.toEqual({ deleted: true })
      expect(await store.list({ hostId: 'doomed' })).toEqual([])
      for (const file of [...doomed.request.partFiles, doomed.request.manifestFile]) {
        await expect(store.fetch(backup, file, await freshDir(scratch, 'deleted'))).rejects.toBeInstanceOf(StoreError)
      }
      expect((await store.list()).map(candidate => candidate.backupId)).toEqual(expect.arrayContaining(saved.map(staged => staged.request.backupId)))
    })
  })
}

describeStoreContract('local directory', async () => {
  const root = join(scratch, 'local-store')
  return {
    store: new LocalDirectoryStore(root),
    locationOf: backupId => ({ dir: join(root, backupId) }),
    // A crash can leave both: a dir named like a backup without its manifest, and the ".partial" dir.
    async leaveIncomplete(staged) {
      const { backupId, dir, partFiles, manifestFile } = staged.request
      await mkdir(join(root, backupId), { recursive: true })
      await mkdir(join(root, `.${backupId}.partial`), { recursive: true })
      for (const file of partFiles) await copyFile(join(dir, file), join(root, backupId, file))
      for (const file of [...partFiles, manifestFile]) await copyFile(join(dir, file), join(root, `.${backupId}.partial`, file))
    }
  }
})

describeStoreContract('GitHub artifacts', async () => {
  const leave = enterRun(service.newRun())
  return {
    store: githubStore(),
    // Only the parts, uploaded with the real client: what a job killed before the manifest leaves.
    async leaveIncomplete(staged) {
      const client = new artifactModule.DefaultArtifactClient()
      const { dir, partFiles } = staged.request
      for (const file of partFiles) await client.uploadArtifact(file, [join(dir, file)], dir, { skipArchive: true })
    },
    dispose: leave
  }
})

describeStoreContract('S3 (Ceph RADOS Gateway)', async () => {
  const bucket = await s3Bed.createBucket('contract')
  const store = new S3ObjectStore(s3Bed.settings(bucket, 'nightly/'), recordingLogger())
  return {
    store,
    locationOf: backupId => ({ prefix: `nightly/${backupId}/` }),
    timeResolutionMs: 1100,
    // Only the parts, under the backup's prefix: what a job killed before the manifest leaves.
    async leaveIncomplete(staged) {
      const { dir, partFiles, backupId } = staged.request
      for (const file of partFiles) await s3Bed.put(bucket, `nightly/${backupId}/${file}`, await readFile(join(dir, file)))
    }
  }
})

describe('GithubArtifactStore across workflow runs', () => {
  let runA: RunContext
  let staged: StagedBackup

  beforeAll(async () => {
    runA = service.newRun()
    staged = await stageBackup(scratch, 'tabby', 'gamma', minutesIn(50))
    await inRun(runA, () => githubStore().save(staged.request))
  })

  async function expectFetchesAll(store: Store, backup: StoredBackup): Promise<void> {
    const destination = await freshDir(scratch, 'other-run')
    for (const [file, digest] of staged.digests) expect(await sha256File(await store.fetch(backup, file, destination))).toBe(digest)
  }

  test('lists and fetches a backup of run A from run B, given runId A and the REST token', async () => {
    await inRun(service.newRun(), async () => {
      const store = githubStore({ runId: runA.runId, token: service.githubToken })
      const backups = await store.list()
      expect(backups.map(backup => backup.backupId)).toEqual([staged.request.backupId])
      expect(backups[0]).toMatchObject({ app: 'tabby', hostId: 'gamma', location: { runId: runA.runId } })
      await expectFetchesAll(store, backups[0])
    })
  })

  test('finds a backup of another run without runId, through the repository-wide listing', async () => {
    await inRun(service.newRun(), async () => {
      const store = githubStore({ token: service.githubToken })
      const backups = await store.list({ hostId: 'gamma' })
      expect(backups.map(backup => backup.backupId)).toEqual([staged.request.backupId])
      expect(backups[0].location.runId).toBe(runA.runId)
      await expectFetchesAll(store, backups[0])
    })
  })

  test('reads an artifact stored under a retry name (<file>.retry-<n>) as that file, the newest copy winning', async () => {
    const runC = service.newRun()
    const { dir, partFiles, manifestFile } = staged.request
    const upload = await freshDir(scratch, 'retry-names')
    const [first, ...rest] = partFiles
    // An older copy under the first name holds other bytes: the newest, the retry, must win.
    await writeFile(join(upload, first), 'an older upload that must lose\n')
    await copyFile(join(dir, first), join(upload, `${first}.retry-1`))
    for (const file of rest) await copyFile(join(dir, file), join(upload, file))
    await copyFile(join(dir, manifestFile), join(upload, `${manifestFile}.retry-2`))
    await inRun(runC, async () => {
      const client = new artifactModule.DefaultArtifactClient()
      for (const name of [first, `${first}.retry-1`, ...rest, `${manifestFile}.retry-2`]) {
        await client.uploadArtifact(name, [join(upload, name)], upload, { skipArchive: true })
      }
    })
    await inRun(service.newRun(), async () => {
      const store = githubStore({ runId: runC.runId, token: service.githubToken })
      const backups = await store.list()
      expect(backups.map(backup => backup.backupId)).toEqual([staged.request.backupId])
      await expectFetchesAll(store, backups[0])
    })
  })

  test('a token without actions: write cannot delete: refused with the permission to add, and the backup stays', async () => {
    await inRun(service.newRun(), async () => {
      const readOnly = githubStore({ token: service.readOnlyToken })
      const [backup] = await readOnly.list({ hostId: 'gamma' })
      const outcome = await readOnly.delete(backup)
      expect(outcome).toMatchObject({ deleted: false, refused: expect.stringContaining('permissions: actions: write') })
      expect((await readOnly.list({ hostId: 'gamma' })).map(listed => listed.backupId)).toEqual([staged.request.backupId])
    })
  })

  test('fails with a StoreError when the token is wrong, for the run listing, the repository listing and a fetch', async () => {
    await inRun(service.newRun(), async () => {
      const backup = (await githubStore({ runId: runA.runId, token: service.githubToken }).list())[0]
      await expect(githubStore({ runId: runA.runId, token: 'ghs_wrong' }).list()).rejects.toBeInstanceOf(StoreError)
      await expect(githubStore({ token: 'ghs_wrong' }).list()).rejects.toBeInstanceOf(StoreError)
      const fetching = githubStore({ token: 'ghs_wrong' }).fetch(backup, staged.request.manifestFile, await freshDir(scratch, 'wrong-token'))
      await expect(fetching).rejects.toBeInstanceOf(StoreError)
    })
  })
})
