import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { handleArtifactRpc } from './artifact-service.js'
import { startAzurite, type AzuriteProcess } from './azurite-process.js'
import { startBlobFaultProxy, type BlobFaultProxy } from './blob-fault-proxy.js'
import { BlobStorage, type StoredBlob } from './blob-storage.js'
import { handleCacheRpc } from './cache-service.js'
import { createFaultSwitches, faultBypassHeader, injectFault, resultsServiceTarget, type FaultSwitches } from './fault-switches.js'
import { TwirpError, credentialFrom, readJsonBody, sendReply, type JsonReply } from './http-helpers.js'
import { handleRest } from './rest-api.js'
import { createTokenSigner, type TokenSigner } from './runtime-token.js'
import type { ServiceContext } from './service-context.js'
import { ServiceState, type RunOrigin, type RunRecord } from './service-state.js'

export interface StartResultsServiceOptions {
  /** `owner/name`; default `octo/homelab` */
  repository?: string
  /** The token REST calls must present; default a random `ghs_…` value */
  githubToken?: string
  /** The repository's retention limit, exported as GITHUB_RETENTION_DAYS; default 90 */
  retentionDays?: number
}

export interface RequestLogEntry {
  method: string
  /** Path only: query strings are dropped so nothing secret-looking is kept */
  path: string
  status: number
}

export interface RunContext {
  runId: number
  runBackendId: string
  jobBackendId: string
  runtimeToken: string
  event: string
  /** `owner/name` whose code the run ran: the repository itself, or a fork for a fork's pull request. */
  headRepository: string
  /** The variables a step of this run sees; add GITHUB_WORKSPACE and RUNNER_TEMP yourself. */
  env(): Record<string, string>
}

export interface ResultsService {
  /** Origin of the Twirp services, without a trailing slash */
  resultsUrl: string
  /** Base of the REST API (GITHUB_API_URL) */
  apiUrl: string
  repository: string
  githubToken: string
  /** A token with `actions: read` only: REST reads pass, a DELETE gets 403. */
  readOnlyToken: string
  /** For a teardown that wants to prove nothing is left running */
  azuritePid: number
  /** A run of the repository's own code by default; `origin` makes it, say, a fork's pull request. */
  newRun(origin?: RunOrigin): RunContext
  stop(): Promise<void>
  listStoredBlobs(): Promise<StoredBlob[]>
  /**
   * Records `count` finalized artifacts of `run` (named `<prefix>-<n>`, 1 byte, no blob): what other jobs
   * of the repository leave behind, for listings that must page through many.
   */
  addArtifacts(run: RunContext, prefix: string, count: number): void
  requests: RequestLogEntry[]
  /** Arms 5xx replies and dropped connections on the artifact RPCs, the blob traffic and the REST endpoints. */
  faults: FaultSwitches
  /** Blob uploads (PUTs) open now and the most open at once; reset `mostOpen` to measure one upload. */
  blobUploads: { open: number; mostOpen: number }
}

/**
 * Temp dirs are named `<prefix><creator pid>-…` and hold `azurite.pid`, so a
 * global teardown can find and end an Azurite whose test process crashed.
 */
export const resultsServiceTempDirPrefix = 'results-service-'

const twirpPrefix = '/twirp/github.actions.results.api.v1.'
const apiPrefix = '/api'

async function route(context: ServiceContext, signer: TokenSigner, request: IncomingMessage, url: URL): Promise<JsonReply> {
  const method = request.method ?? 'GET'
  if (url.pathname.startsWith(twirpPrefix)) {
    const [service, rpc] = url.pathname.slice(twirpPrefix.length).split('/')
    if (method !== 'POST') throw new TwirpError('bad_route', 'Twirp methods must be called with POST')
    const token = credentialFrom(request, ['bearer'])
    const caller = token === undefined ? undefined : signer.verify(token)
    if (!caller) throw new TwirpError('unauthenticated', 'a valid runtime token is required')
    const body = await readJsonBody(request)
    if (service === 'ArtifactService') return handleArtifactRpc(context, rpc ?? '', caller, body)
    if (service === 'CacheService') return handleCacheRpc(context, rpc ?? '', caller, body)
    throw new TwirpError('bad_route', `no service ${service}`)
  }
  if (url.pathname === apiPrefix || url.pathname.startsWith(`${apiPrefix}/`)) {
    const path = url.pathname.slice(apiPrefix.length)
    return handleRest(context, method, path, url, credentialFrom(request, ['bearer', 'token']))
  }
  return { status: 404, body: { message: 'Not Found' } }
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return `http://127.0.0.1:${port}`
}

/** What a pull request run sees instead of a branch: the merge ref, and the branches it joins. */
function pullRequestEnvironment(record: RunRecord): Record<string, string> {
  if (record.pullRequestNumber === undefined) return { GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main' }
  return {
    GITHUB_REF: `refs/pull/${record.pullRequestNumber}/merge`,
    GITHUB_REF_NAME: `${record.pullRequestNumber}/merge`,
    GITHUB_HEAD_REF: record.headBranch,
    GITHUB_BASE_REF: 'main'
  }
}

function runEnvironment(service: ResultsService, run: RunContext, record: RunRecord, runNumber: number, retentionDays: number): Record<string, string> {
  const [owner] = service.repository.split('/')
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    // The real runner's value ends with a slash; the clients use only the origin.
    ACTIONS_RESULTS_URL: `${service.resultsUrl}/`,
    ACTIONS_RUNTIME_TOKEN: run.runtimeToken,
    ACTIONS_CACHE_SERVICE_V2: 'true',
    // Both clients refuse to run against anything but github.com or *.ghe.com.
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: service.apiUrl,
    GITHUB_GRAPHQL_URL: `${service.apiUrl}/graphql`,
    GITHUB_REPOSITORY: service.repository,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_RUN_ID: String(run.runId),
    GITHUB_RUN_NUMBER: String(runNumber),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'backup',
    GITHUB_JOB: 'backup',
    GITHUB_ACTION: 'selfhost-backup',
    GITHUB_ACTOR: owner,
    GITHUB_EVENT_NAME: record.event,
    ...pullRequestEnvironment(record),
    GITHUB_REF_TYPE: 'branch',
    GITHUB_SHA: record.headSha,
    GITHUB_RETENTION_DAYS: String(retentionDays),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_ENVIRONMENT: 'github-hosted'
  }
}

/**
 * Starts Azurite and an emulator of the GitHub Actions results service (Twirp
 * ArtifactService and CacheService v2) plus the REST artifact endpoints, all on
 * 127.0.0.1. Always call `stop()`, even when a test fails.
 */
export async function startResultsService(options: StartResultsServiceOptions = {}): Promise<ResultsService> {
  const repository = options.repository ?? 'octo/homelab'
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
    throw new Error(`repository must look like owner/name, got ${JSON.stringify(repository)}`)
  }
  const githubToken = options.githubToken ?? `ghs_${randomBytes(18).toString('base64url')}`
  const retentionDays = options.retentionDays ?? 90
  const dataDirectory = await mkdtemp(join(tmpdir(), `${resultsServiceTempDirPrefix}${process.pid}-`))

  let azurite: AzuriteProcess | undefined
  let blobProxy: BlobFaultProxy | undefined
  const faults = createFaultSwitches()
  const server = createServer()
  try {
    azurite = await startAzurite(dataDirectory)
    await writeFile(join(dataDirectory, 'azurite.pid'), `${azurite.pid}\n`)
    blobProxy = await startBlobFaultProxy(azurite.blobEndpoint, faults)
    const storage = new BlobStorage(azurite.blobEndpoint, blobProxy.origin)
    await storage.createContainers()
    const origin = await listen(server)
    const context: ServiceContext = {
      state: new ServiceState(retentionDays, repository),
      storage,
      repository,
      githubToken,
      readOnlyToken: `ghs_${randomBytes(18).toString('base64url')}`,
      apiUrl: `${origin}${apiPrefix}`
    }
    const signer = createTokenSigner()
    const requests: RequestLogEntry[] = []

    server.on('request', (request: IncomingMessage, response) => {
      const url = new URL(request.url ?? '/', origin)
      response.on('finish', () => requests.push({ method: request.method ?? 'GET', path: url.pathname, status: response.statusCode }))
      const target = request.headers[faultBypassHeader] === 'yes' ? undefined : resultsServiceTarget(request.method ?? 'GET', url.pathname, apiPrefix)
      const fault = target === undefined ? undefined : faults.take(target)
      if (fault !== undefined) {
        injectFault(fault, request, response, url.pathname.startsWith(twirpPrefix) ? 'twirp' : 'rest').catch(() => request.socket.destroy())
        return
      }
      route(context, signer, request, url)
        .catch((error: unknown): JsonReply => {
          if (error instanceof TwirpError) return error.reply()
          const message = error instanceof Error ? error.message : String(error)
          return { status: 500, body: { code: 'internal', msg: message, message } }
        })
        .then(reply => sendReply(response, reply))
    })

    const runningAzurite = azurite
    const runningProxy = blobProxy
    let runNumber = 0
    let stopped: Promise<void> | undefined
    const service: ResultsService = {
      resultsUrl: origin,
      apiUrl: context.apiUrl,
      repository,
      githubToken,
      readOnlyToken: context.readOnlyToken,
      azuritePid: runningAzurite.pid,
      requests,
      faults,
      blobUploads: runningProxy.uploads,
      newRun(origin) {
        const record = context.state.createRun(origin)
        const number = ++runNumber
        const run: RunContext = {
          runId: record.runId,
          runBackendId: record.runBackendId,
          jobBackendId: record.jobBackendId,
          runtimeToken: signer.sign(record),
          event: record.event,
          headRepository: record.headRepository,
          env: () => runEnvironment(service, run, record, number, retentionDays)
        }
        return run
      },
      listStoredBlobs: () => storage.listAll(),
      addArtifacts(run, prefix, count) {
        const record = context.state.runById(run.runId)
        if (!record) throw new Error(`no run ${run.runId}`)
        for (let index = 1; index <= count; index++) {
          const artifact = context.state.createArtifact({ run: record, jobBackendId: record.jobBackendId, name: `${prefix}-${index}`, mimeType: 'application/octet-stream', version: 7 })
          context.state.finalizeArtifact(artifact, 1, undefined)
        }
      },
      stop() {
        stopped ??= (async () => {
          server.closeAllConnections()
          await new Promise<void>(resolve => server.close(() => resolve()))
          await runningProxy.stop()
          await runningAzurite.stop()
          await rm(dataDirectory, { recursive: true, force: true })
        })()
        return stopped
      }
    }
    return service
  } catch (error) {
    server.close()
    await blobProxy?.stop()
    await azurite?.stop()
    await rm(dataDirectory, { recursive: true, force: true })
    throw error
  }
}
