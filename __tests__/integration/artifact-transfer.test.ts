/**
 * The artifact store's own calls to the artifact service (src/store/artifact-service.ts, artifact-upload.ts)
 * against the results-service emulator and Azurite, checked against the real @actions/artifact client
 * both ways: what our upload stores, the client downloads byte for byte with the digest checked; what the
 * client uploaded, ours downloads (this run through the service, another through the REST API). Memory
 * stays at its fixed set of blocks; each kind of failure is retried where that is safe.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ArtifactRestApi } from '../../src/store/artifact-rest.js'
import { ArtifactServiceClient } from '../../src/store/artifact-service.js'
import { downloadTo } from '../../src/store/http-exchange.js'
import { uploadArtifactFile, type UploadLimits } from '../../src/store/artifact-upload.js'
import type { Logger } from '../../src/kernel/log.js'
import { runClients, startResultsService, type ResultsService, type RunContext } from '../support/results-service/index.js'
import { peakMemoryGrowth, recordingLogger } from '../support/transport-probes.js'

const KiB = 1024
const MiB = 1024 * KiB
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')
/** Small blocks, so a few hundred KB are many blocks; pauses of milliseconds. */
const smallBlocks: UploadLimits = { blockBytes: 64 * KiB, blocksInFlight: 2 }

let service: ResultsService
let workspace: string
let run: RunContext
let fileCount = 0

beforeAll(async () => {
  service = await startResultsService()
  workspace = await mkdtemp(join(tmpdir(), 'artifact-transfer-test-'))
  run = service.newRun()
}, 60_000)
afterAll(async () => {
  await service?.stop()
  if (workspace) await rm(workspace, { recursive: true, force: true })
})
afterEach(() => service.faults.clear())

/** This run's side of the service, retrying each request after pauses of milliseconds. */
const serviceOf = (context: RunContext, logger: Logger = recordingLogger()): ArtifactServiceClient =>
  new ArtifactServiceClient({ resultsUrl: service.resultsUrl, runtimeToken: context.runtimeToken }, logger, { attempts: 3, baseMs: 10 })

async function fileOf(bytes: Buffer): Promise<string> {
  const path = join(workspace, `part-${++fileCount}.tar.zst`)
  await writeFile(path, bytes)
  return path
}

/** Downloads `name` of `run` with the real client, which checks the digest the upload finalized. */
async function downloaded(name: string): Promise<{ bytes: Buffer; listed: { size: number; digest?: string } }> {
  const dir = await mkdtemp(join(workspace, 'download-'))
  const env = { ...run.env(), GITHUB_WORKSPACE: workspace, RUNNER_TEMP: join(workspace, '.runner-temp') }
  const listing = await runClients(env, [{ op: 'get', name }])
  const got = listing.results[0]
  if (!got.ok) throw new Error(`the client could not find ${name}: ${got.error}\n${listing.output}`)
  const artifact = (got.value as { artifact: { id: number; size: number; digest?: string } }).artifact
  const fetched = await runClients(env, [{ op: 'download', artifactId: artifact.id, path: dir, expectedHash: artifact.digest }])
  if (!fetched.results[0].ok) throw new Error(`the client could not download ${name}: ${fetched.results[0].error}\n${fetched.output}`)
  return { bytes: await readFile(join(dir, name)), listed: artifact }
}

describe('uploading a part as an artifact', () => {
  it('stores a file of many blocks in order, and the real client downloads it with its digest checked', async () => {
    const bytes = randomBytes(5 * 64 * KiB + 12_345)
    const logger = recordingLogger()
    const uploaded = await uploadArtifactFile(serviceOf(run, logger), { path: await fileOf(bytes), name: 'many-blocks.tar.zst' }, logger, smallBlocks)
    expect(uploaded.bytes).toBe(bytes.length)
    // Six blocks and one block list.
    expect(service.faults.seen['blob-upload']).toBe(7)
    const { bytes: back, listed } = await downloaded('many-blocks.tar.zst')
    expect(sha256(back)).toBe(sha256(bytes))
    expect(listed.digest).toBe(`sha256:${sha256(bytes)}`)
    expect(Number(listed.size)).toBe(bytes.length)
    expect(logger.lines.filter(line => line.startsWith('warning'))).toEqual([])
  })

  it('stores an empty file as an empty artifact', async () => {
    await uploadArtifactFile(serviceOf(run), { path: await fileOf(Buffer.alloc(0)), name: 'empty.tar.zst' }, recordingLogger(), smallBlocks)
    const { bytes, listed } = await downloaded('empty.tar.zst')
    expect(bytes.length).toBe(0)
    expect(listed.digest).toBe(`sha256:${sha256(Buffer.alloc(0))}`)
  })

  it('keeps at most its set number of blocks on the way, and that many do go at once', async () => {
    service.blobUploads.mostOpen = 0
    await uploadArtifactFile(serviceOf(run), { path: await fileOf(randomBytes(12 * 64 * KiB)), name: 'in-flight.tar.zst' }, recordingLogger(), { ...smallBlocks, blocksInFlight: 3 })
    expect(service.blobUploads.mostOpen).toBe(3)
  })

  it('holds its fixed set of blocks for a file of 16 MiB, and nothing more for one of 64 MiB after it', async () => {
    // The default limits: four blocks of 4 MiB. The artifact client held about 56 MB of buffers here.
    const growth: number[] = []
    for (const size of [16 * MiB, 64 * MiB]) {
      const path = join(workspace, `memory-${size}.tar.zst`)
      // Written a MiB at a time, so no buffer of the file's size is still being freed while memory is measured.
      const file = await open(path, 'w')
      for (let written = 0; written < size; written += MiB) await file.write(randomBytes(MiB))
      await file.close()
      const { arrayBuffers } = await peakMemoryGrowth(() => uploadArtifactFile(serviceOf(run), { path, name: `memory-${size}.tar.zst` }, recordingLogger()))
      growth.push(arrayBuffers)
      await rm(path)
    }
    // The first upload takes its 16 MiB of blocks (and what sockets and the emulator's proxy hold for a
    // moment); the larger one after it reuses them and takes nothing that grows with the file.
    expect(growth[0]).toBeLessThan(24 * MiB)
    expect(growth[1]).toBeLessThan(6 * MiB)
  }, 120_000)

  it('sends a block again when storage fails it or drops the connection, and stores every byte once', async () => {
    service.faults.add({ target: 'blob-upload', kind: 'http-500', times: 2 })
    service.faults.add({ target: 'blob-upload', kind: 'drop', times: 1, after: 2 })
    const bytes = randomBytes(4 * 64 * KiB)
    const logger = recordingLogger()
    await uploadArtifactFile(serviceOf(run, logger), { path: await fileOf(bytes), name: 'block-retried.tar.zst' }, logger, smallBlocks)
    expect(service.faults.hits['blob-upload']).toBe(3)
    expect(logger.lines.filter(line => /^warning: Storing a block of the artifact failed .*retrying in/.test(line))).toHaveLength(3)
    expect(sha256((await downloaded('block-retried.tar.zst')).bytes)).toBe(sha256(bytes))
  })

  it('asks the service again after a 5xx answer, but leaves a dropped CreateArtifact to the caller, which renames', async () => {
    service.faults.add({ target: 'FinalizeArtifact', kind: 'http-500', times: 1 })
    await uploadArtifactFile(serviceOf(run), { path: await fileOf(randomBytes(1000)), name: 'finalize-retried.tar.zst' }, recordingLogger(), smallBlocks)
    expect(service.faults.hits.FinalizeArtifact).toBe(1)
    expect((await downloaded('finalize-retried.tar.zst')).listed.digest).toMatch(/^sha256:/)

    service.faults.clear()
    service.faults.add({ target: 'CreateArtifact', kind: 'drop', times: 1 })
    const error = await uploadArtifactFile(serviceOf(run), { path: await fileOf(randomBytes(1000)), name: 'create-dropped.tar.zst' }, recordingLogger(), smallBlocks).then(
      () => undefined,
      (failure: unknown) => failure as Error & { transient?: boolean }
    )
    // Not repeated under the same name (the service may have made it): the store's retry takes a fresh one.
    expect(service.faults.seen.CreateArtifact).toBe(1)
    expect(error?.message).toMatch(/^CreateArtifact: the connection failed/)
    expect(error?.transient).toBe(true)
  })

  it('gives up at once on an answer that says no: a name already taken', async () => {
    const path = await fileOf(randomBytes(1000))
    await uploadArtifactFile(serviceOf(run), { path, name: 'taken.tar.zst' }, recordingLogger(), smallBlocks)
    service.faults.clear()
    const error = await uploadArtifactFile(serviceOf(run), { path, name: 'taken.tar.zst' }, recordingLogger(), smallBlocks).then(
      () => undefined,
      (failure: unknown) => failure as Error & { status?: number }
    )
    expect(service.faults.seen.CreateArtifact).toBe(1)
    expect(error?.status).toBe(409)
    expect(error?.message).toMatch(/CreateArtifact: the artifact service answered HTTP 409: .*already exists/)
  })

  it('refuses a runtime token that names no run before it calls the service, and never puts the token in a message', () => {
    const token = `x.${Buffer.from(JSON.stringify({ scp: 'Actions.GenericRead:1' })).toString('base64url')}.signature-part`
    let error: Error | undefined
    try {
      new ArtifactServiceClient({ resultsUrl: service.resultsUrl, runtimeToken: token }, recordingLogger(), { attempts: 1, baseMs: 1 })
    } catch (failure) {
      error = failure as Error
    }
    expect(error?.message).toMatch(/ACTIONS_RUNTIME_TOKEN does not name the workflow run/)
    expect(error?.message).not.toContain('signature-part')
    expect(service.faults.seen.CreateArtifact).toBe(0)
  })
})

describe('downloading a part from the artifacts', () => {
  const uploadedByTheClient = async (name: string, bytes: Buffer, skipArchive: boolean): Promise<number> => {
    const dir = await mkdtemp(join(workspace, 'client-upload-'))
    await writeFile(join(dir, name), bytes)
    const env = { ...run.env(), GITHUB_WORKSPACE: workspace, RUNNER_TEMP: join(workspace, '.runner-temp') }
    const uploaded = await runClients(env, [{ op: 'upload', name, files: [join(dir, name)], rootDirectory: dir, skipArchive }])
    if (!uploaded.results[0].ok) throw new Error(`the client could not upload ${name}: ${uploaded.results[0].error}\n${uploaded.output}`)
    return (uploaded.results[0].value as { id: number }).id
  }
  const rest = (): ArtifactRestApi => new ArtifactRestApi({ apiUrl: service.apiUrl, repository: service.repository, token: service.githubToken }, recordingLogger(), { attempts: 3, baseMs: 10 })

  it('reads what the real client uploaded, from this run and through the REST API, under the name it is asked for', async () => {
    const bytes = randomBytes(3 * MiB + 17)
    const id = await uploadedByTheClient('client-made.tar.zst', bytes, true)
    const dir = await mkdtemp(join(workspace, 'ours-'))
    const client = serviceOf(run)
    expect((await client.list()).map(artifact => artifact.name)).toContain('client-made.tar.zst')
    await downloadTo(new URL(await client.downloadUrl('client-made.tar.zst')), join(dir, 'from-this-run'))
    await downloadTo(new URL(await rest().downloadAddress(id)), join(dir, 'from-rest'))
    expect(sha256(await readFile(join(dir, 'from-this-run')))).toBe(sha256(bytes))
    expect(sha256(await readFile(join(dir, 'from-rest')))).toBe(sha256(bytes))
    expect((await readdir(dir)).sort()).toEqual(['from-rest', 'from-this-run'])
  })

  it('never unpacks a zipped artifact (not one this tool makes): its bytes land in the one file asked for', async () => {
    // The client's own download would unzip it into the directory; a part planted this way must reach the checks as it is.
    const id = await uploadedByTheClient('planted.tar.zst', Buffer.from('what a zip would put on the runner'), false)
    const dir = await mkdtemp(join(workspace, 'zipped-'))
    await downloadTo(new URL(await rest().downloadAddress(id)), join(dir, 'planted.tar.zst'))
    expect(await readdir(dir)).toEqual(['planted.tar.zst'])
    expect((await readFile(join(dir, 'planted.tar.zst'))).subarray(0, 4).toString('latin1')).toBe('PK\x03\x04')
  })

  it("says which artifact is gone, with the API's answer, when the REST API does not know it", async () => {
    await expect(rest().downloadAddress(987_654_321)).rejects.toThrow(/download of artifact 987654321 HTTP 404/)
  })
})
