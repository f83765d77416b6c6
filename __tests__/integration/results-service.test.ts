import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runClients, startResultsService, type ClientOperation, type ClientResult, type FindBy, type ResultsService, type RunContext } from '../support/results-service/index.js'

interface UploadValue {
  id: number
  size: number
  digest: string
}
interface ListedArtifact {
  id: number
  name: string
  size: number
  digest?: string
  createdAt?: string
}
interface RestArtifact {
  id: number
  name: string
  size_in_bytes: number
  created_at: string
  expires_at: string
  digest: string
  expired: boolean
  workflow_run: { id: number }
}
interface RestList {
  total_count: number
  artifacts: RestArtifact[]
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

function value<T>(result: ClientResult, output: string): T {
  if (!result.ok) throw new Error(`client operation failed: ${result.error}\n--- client output ---\n${output}`)
  return result.value as T
}

function failure(result: ClientResult): string {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`)
  return result.error
}

describe('results-service emulator driven by the real @actions clients', () => {
  let service: ResultsService
  let workspace: string
  let runA: RunContext
  let rawBytes: Buffer
  const rawName = 'tabby-db.sqlite.gz'
  let rawUpload: UploadValue
  let zipUpload: UploadValue
  let stepCount = 0

  const stepEnv = (run: RunContext): Record<string, string> => ({
    ...run.env(),
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: join(workspace, '.runner-temp', String(++stepCount))
  })
  const step = async (run: RunContext, operations: ClientOperation[]): Promise<{ results: ClientResult[]; output: string }> => runClients(stepEnv(run), operations, { cwd: workspace })
  const findByRun = (run: RunContext, token = service.githubToken): FindBy => ({
    token,
    workflowRunId: run.runId,
    repositoryOwner: 'octo',
    repositoryName: 'homelab'
  })
  const rest = async (path: string, init: { method?: string; token?: string; scheme?: string } = {}): Promise<Response> =>
    fetch(`${service.apiUrl}${path}`, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { authorization: `${init.scheme ?? 'Bearer'} ${init.token ?? service.githubToken}` }
    })

  beforeAll(async () => {
    service = await startResultsService()
    workspace = await mkdtemp(join(tmpdir(), 'results-service-test-'))
    rawBytes = randomBytes(300 * 1024)
    await writeFile(join(workspace, rawName), rawBytes)
    await mkdir(join(workspace, 'bundle', 'nested'), { recursive: true })
    await writeFile(join(workspace, 'bundle', 'manifest.json'), '{"parts":2}\n')
    await writeFile(join(workspace, 'bundle', 'nested', 'part-1.bin'), randomBytes(4096))

    runA = service.newRun()
    const { results, output } = await step(runA, [
      { op: 'upload', name: 'ignored-when-raw', files: [join(workspace, rawName)], rootDirectory: workspace, skipArchive: true, retentionDays: 5 },
      { op: 'upload', name: 'bundle', files: [join(workspace, 'bundle', 'manifest.json'), join(workspace, 'bundle', 'nested', 'part-1.bin')], rootDirectory: join(workspace, 'bundle') }
    ])
    rawUpload = value<UploadValue>(results[0], output)
    zipUpload = value<UploadValue>(results[1], output)
  })

  afterAll(async () => {
    await service?.stop()
    if (workspace) await rm(workspace, { recursive: true, force: true })
  })

  test('uploads a single file unzipped, named after the file, with its size and sha256 digest', async () => {
    expect(rawUpload).toEqual({ id: expect.any(Number), size: rawBytes.length, digest: sha256(rawBytes) })
    const stored = (await service.listStoredBlobs()).filter(blob => blob.path === rawName)
    expect(stored).toHaveLength(1)
    expect(stored[0].bytes.equals(rawBytes)).toBe(true)
  })

  test('lists both artifacts of the run with ids, sizes and digests', async () => {
    const { results, output } = await step(runA, [{ op: 'list' }])
    const { artifacts } = value<{ artifacts: ListedArtifact[] }>(results[0], output)
    expect(artifacts.map(artifact => artifact.name).sort()).toEqual(['bundle', rawName].sort())
    const raw = artifacts.find(artifact => artifact.name === rawName)
    expect(raw).toMatchObject({ id: rawUpload.id, size: rawBytes.length, digest: `sha256:${rawUpload.digest}` })
    expect(artifacts.find(artifact => artifact.name === 'bundle')?.id).toBe(zipUpload.id)
    expect(zipUpload.id).toBeGreaterThan(rawUpload.id)
  })

  test('downloads a raw artifact byte-for-byte under its own file name, without unzipping', async () => {
    const target = join(workspace, 'download-raw')
    const { results, output } = await step(runA, [{ op: 'download', artifactId: rawUpload.id, path: target, expectedHash: `sha256:${rawUpload.digest}` }])
    expect(value<{ digestMismatch: boolean }>(results[0], output).digestMismatch).toBe(false)
    expect(await readdir(target)).toEqual([rawName])
    expect((await readFile(join(target, rawName))).equals(rawBytes)).toBe(true)
  })

  test('downloads a zipped artifact and extracts its files', async () => {
    const target = join(workspace, 'download-zip')
    const { results, output } = await step(runA, [{ op: 'download', artifactId: zipUpload.id, path: target }])
    value(results[0], output)
    expect(await readFile(join(target, 'manifest.json'), 'utf8')).toBe('{"parts":2}\n')
    expect(await readFile(join(target, 'nested', 'part-1.bin'))).toEqual(await readFile(join(workspace, 'bundle', 'nested', 'part-1.bin')))
  })

  test('refuses a second artifact with the same name in the same run', async () => {
    const { results } = await step(runA, [{ op: 'upload', name: 'bundle', files: [join(workspace, 'bundle', 'manifest.json')], rootDirectory: join(workspace, 'bundle') }])
    expect(failure(results[0])).toMatch(/409/)
    expect(service.requests).toContainEqual({ method: 'POST', path: '/twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact', status: 409 })
  })

  test('another run lists and downloads an artifact through the REST API with findBy', async () => {
    const runB = service.newRun()
    const target = join(workspace, 'download-other-run')
    const { results, output } = await step(runB, [
      { op: 'list' },
      { op: 'list', findBy: findByRun(runA) },
      { op: 'get', name: rawName, findBy: findByRun(runA) },
      { op: 'download', artifactId: rawUpload.id, path: target, findBy: findByRun(runA), expectedHash: `sha256:${rawUpload.digest}` }
    ])
    expect(value<{ artifacts: ListedArtifact[] }>(results[0], output).artifacts).toEqual([])
    const listed = value<{ artifacts: ListedArtifact[] }>(results[1], output).artifacts
    expect(listed.map(artifact => artifact.id).sort()).toEqual([rawUpload.id, zipUpload.id].sort())
    expect(listed.find(artifact => artifact.id === rawUpload.id)?.digest).toBe(`sha256:${rawUpload.digest}`)
    expect(value<{ artifact: ListedArtifact }>(results[2], output).artifact).toMatchObject({ id: rawUpload.id, size: rawBytes.length })
    expect(value<{ digestMismatch: boolean }>(results[3], output).digestMismatch).toBe(false)
    expect(await readdir(target)).toEqual([rawName])
    expect((await readFile(join(target, rawName))).equals(rawBytes)).toBe(true)
    expect(service.requests).toContainEqual({ method: 'GET', path: `/api/repos/octo/homelab/actions/artifacts/${rawUpload.id}/zip`, status: 302 })
  })

  test('lists the whole repository newest first, filters by exact name and paginates', async () => {
    const runC = service.newRun()
    const { results, output } = await step(runC, [{ op: 'upload', name: rawName, files: [join(workspace, rawName)], rootDirectory: workspace, skipArchive: true }])
    const newer = value<UploadValue>(results[0], output)

    const byName = await rest(`/repos/octo/homelab/actions/artifacts?name=${rawName}`)
    expect(byName.status).toBe(200)
    const list = (await byName.json()) as RestList
    expect(list.total_count).toBe(2)
    expect(list.artifacts.map(artifact => [artifact.id, artifact.workflow_run.id])).toEqual([
      [newer.id, runC.runId],
      [rawUpload.id, runA.runId]
    ])
    expect(Date.parse(list.artifacts[0].created_at)).toBeGreaterThan(Date.parse(list.artifacts[1].created_at))
    expect(list.artifacts[1]).toMatchObject({ size_in_bytes: rawBytes.length, digest: `sha256:${rawUpload.digest}`, expired: false })
    // The first upload asked for 5 days of retention; the default is the repository's 90.
    const retentionDays = (artifact: RestArtifact): number => Math.round((Date.parse(artifact.expires_at) - Date.parse(artifact.created_at)) / 86_400_000)
    expect(list.artifacts.map(retentionDays)).toEqual([90, 5])

    const prefixOnly = (await (await rest('/repos/octo/homelab/actions/artifacts?name=tabby-db')).json()) as RestList
    expect(prefixOnly.total_count).toBe(0)

    const secondPageResponse = await rest('/repos/octo/homelab/actions/artifacts?per_page=1&page=2')
    expect(secondPageResponse.headers.get('link')).toBe(
      `<${service.apiUrl}/repos/octo/homelab/actions/artifacts?per_page=1&page=3>; rel="next", ` + `<${service.apiUrl}/repos/octo/homelab/actions/artifacts?per_page=1&page=3>; rel="last"`
    )
    const secondPage = (await secondPageResponse.json()) as RestList
    expect(secondPage.total_count).toBe(3)
    expect(secondPage.artifacts.map(artifact => artifact.id)).toEqual([zipUpload.id])

    const runOnly = (await (await rest(`/repos/octo/homelab/actions/runs/${runC.runId}/artifacts`)).json()) as RestList
    expect(runOnly.artifacts.map(artifact => artifact.id)).toEqual([newer.id])
  })

  test('rejects a forged runtime token, a wrong GitHub token and another repository', async () => {
    const forgedPayload = Buffer.from(JSON.stringify({ scp: `Actions.Results:${runA.runBackendId}:${runA.jobBackendId}`, exp: 4102444800 })).toString('base64url')
    const forged = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${forgedPayload}.`
    const twirp = await runClients({ ...stepEnv(runA), ACTIONS_RUNTIME_TOKEN: forged }, [{ op: 'list' }], { cwd: workspace })
    expect(failure(twirp.results[0])).toMatch(/401/)

    expect((await rest('/repos/octo/homelab/actions/artifacts', { token: 'ghs_wrong' })).status).toBe(401)
    expect((await rest('/repos/octo/homelab/actions/artifacts', { scheme: 'token' })).status).toBe(200)
    expect((await rest('/repos/octo/other/actions/artifacts')).status).toBe(404)

    // Octokit retries even a 401 here, so this is several requests, all refused.
    const viaClient = await step(service.newRun(), [{ op: 'list', findBy: findByRun(runA, 'ghs_wrong') }])
    expect(failure(viaClient.results[0])).toMatch(/Bad credentials|401/)
  })

  test('deletes artifacts so they are neither listed, downloadable nor stored', async () => {
    const { results, output } = await step(runA, [{ op: 'delete', name: rawName }, { op: 'list' }])
    expect(value<{ id: number }>(results[0], output).id).toBe(rawUpload.id)
    expect(value<{ artifacts: ListedArtifact[] }>(results[1], output).artifacts.map(artifact => artifact.name)).toEqual(['bundle'])
    expect((await rest(`/repos/octo/homelab/actions/artifacts/${rawUpload.id}/zip`)).status).toBe(404)

    expect((await rest(`/repos/octo/homelab/actions/artifacts/${zipUpload.id}`, { method: 'DELETE' })).status).toBe(204)
    const storedIds = (await service.listStoredBlobs()).map(blob => blob.name)
    expect(storedIds.some(name => name.includes(`/${rawUpload.id}/`))).toBe(false)
    expect(storedIds.some(name => name.includes(`/${zipUpload.id}/`))).toBe(false)
  })

  test('saves immutable cache entries and restores by exact key or newest restore-key prefix', async () => {
    const run = service.newRun()
    const cacheDir = join(workspace, 'cache-data')
    const paths = [cacheDir]
    await mkdir(cacheDir, { recursive: true })
    await writeFile(join(cacheDir, 'state.txt'), 'first')
    const first = await step(run, [{ op: 'cacheSave', paths, key: 'deps-linux-1' }])
    expect(value<number>(first.results[0], first.output)).toBeGreaterThan(0)
    await writeFile(join(cacheDir, 'state.txt'), 'second')
    const second = await step(run, [
      { op: 'cacheSave', paths, key: 'deps-linux-2' },
      { op: 'cacheSave', paths, key: 'deps-linux-1' }
    ])
    expect(value<number>(second.results[0], second.output)).toBeGreaterThan(0)
    expect(value<number>(second.results[1], second.output)).toBe(-1)

    await rm(cacheDir, { recursive: true })
    const byPrefix = await step(run, [{ op: 'cacheRestore', paths, primaryKey: 'deps-linux-9', restoreKeys: ['deps-linux-'] }])
    expect(value<string>(byPrefix.results[0], byPrefix.output)).toBe('deps-linux-2')
    expect(await readFile(join(cacheDir, 'state.txt'), 'utf8')).toBe('second')

    const exact = await step(run, [
      { op: 'cacheRestore', paths, primaryKey: 'deps-linux-1' },
      { op: 'cacheRestore', paths, primaryKey: 'other-key' }
    ])
    expect(value<string>(exact.results[0], exact.output)).toBe('deps-linux-1')
    expect(await readFile(join(cacheDir, 'state.txt'), 'utf8')).toBe('first')
    expect(value<string | undefined>(exact.results[1], exact.output)).toBeUndefined()
  })

  test('stop() ends Azurite and closes the HTTP server', async () => {
    const other = await startResultsService({ repository: 'someone/else', githubToken: 'ghs_test' })
    expect(other.newRun().env()).toMatchObject({ GITHUB_REPOSITORY: 'someone/else', GITHUB_SERVER_URL: 'https://github.com' })
    await other.stop()
    expect(() => process.kill(other.azuritePid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }))
    await expect(fetch(other.resultsUrl)).rejects.toThrow()
  })
})
