/**
 * The local store takes a backup's files where they are written (StoreSession.writeDirectory): in its
 * unfinished ".partial" backup, stored as they are, without the staged copy the other stores read from;
 * listed only after commit, and removed by abandon.
 */
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalDirectoryStore } from '../../src/store/local-dir.js'
import { freshDir, sha256File, stageBackup } from '../support/store-fixtures.js'

let scratch: string

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sb-local-in-place-'))
})
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

/** Moves each part of `staged` into the session's write directory, as the backup pipeline writes it there, and hands it over. */
async function writeInPlace(session: ReturnType<LocalDirectoryStore['begin']>, staged: Awaited<ReturnType<typeof stageBackup>>): Promise<string> {
  const writeDir = await (session.writeDirectory as () => Promise<string>)()
  for (const file of staged.request.partFiles) {
    await copyFile(join(staged.request.dir, file), join(writeDir, file))
    // The staged copy is gone: the store must not read from there.
    await rm(join(staged.request.dir, file))
    await session.addPart(file)
  }
  return writeDir
}

test('stores the parts written in its directory as they are, lists the backup after commit, and abandon removes what was written', async () => {
  const root = join(scratch, 'store')
  const store = new LocalDirectoryStore(root)
  const staged = await stageBackup(scratch, 'tabby', 'inplace', new Date('2026-03-01T03:00:00Z'))
  const session = store.begin(staged.request)
  const writeDir = await writeInPlace(session, staged)
  expect(writeDir).toBe(join(root, `.${staged.request.backupId}.partial`))
  expect(await store.list()).toEqual([])
  const result = await session.commit(staged.request.manifestFile, staged.request.partFiles)
  expect(result.items.map(item => item.name)).toEqual([...staged.request.partFiles, staged.request.manifestFile])
  const [listed] = await store.list()
  expect(listed.backupId).toBe(staged.request.backupId)
  const fetched = await freshDir(scratch, 'fetched')
  for (const [file, digest] of staged.digests) expect(await sha256File(await store.fetch(listed, file, fetched))).toBe(digest)

  const failed = await stageBackup(scratch, 'tabby', 'abandoned', new Date('2026-03-01T04:00:00Z'))
  const abandoned = store.begin(failed.request)
  await writeInPlace(abandoned, failed)
  await abandoned.abandon()
  expect(await readdir(root)).toEqual([staged.request.backupId])
})
