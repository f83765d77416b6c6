import { createWriteStream } from 'node:fs'
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { pipeline } from 'node:stream/promises'
import type { Logger } from '../kernel/log.js'
import type { ListedArtifact } from './artifact-listing.js'
import { isTransient, withRetry, type RetryPolicy } from './github-http.js'

/** How the job reaches GitHub's artifact service: ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN. */
export interface ArtifactServiceAddress {
  resultsUrl: string
  runtimeToken: string
}

const TWIRP_ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService'
/** A request that has not finished after this long is abandoned (and retried, as a dropped connection). */
const REQUEST_TIMEOUT_MS = 300_000
/** A download that receives nothing for this long is abandoned (as the artifact client's 30 s). */
const DOWNLOAD_IDLE_MS = 30_000

/**
 * A failed request: `status` for an answer (withRetry tries a 5xx or 429 again, a 4xx is final),
 * `transient` for a connection that failed or timed out before an answer came.
 */
export class HttpFailure extends Error {
  readonly transient: boolean
  constructor(
    message: string,
    readonly status?: number
  ) {
    super(message)
    this.transient = status === undefined
  }
}

/** The service answered that it failed: it did not act on the call, so the same call may be made again. */
const failedAnswer = (error: unknown): boolean => typeof (error as { status?: unknown }).status === 'number' && isTransient(error)

/**
 * The calls this job makes to GitHub's artifact service (Twirp with JSON, as the `@actions/artifact`
 * client makes them), each retried in place when that is safe: a 5xx answer always (the service did
 * not act), a dropped connection only for reads. CreateArtifact and FinalizeArtifact whose answer was
 * lost may have happened: the upload is retried whole under a fresh name by the store.
 */
export class ArtifactServiceClient {
  private readonly backend: { workflow_run_backend_id: string; workflow_job_run_backend_id: string }

  constructor(
    private readonly address: ArtifactServiceAddress,
    private readonly logger: Logger,
    /** Each request's own retries (the store retries whole uploads and downloads around them). */
    readonly retry: RetryPolicy
  ) {
    this.backend = backendIdsFromToken(address.runtimeToken)
  }

  /** Calls `method` with the run's backend ids added; `read` calls are repeated after a dropped connection too. */
  call(method: string, body: Record<string, unknown>, kind: 'read' | 'write'): Promise<Record<string, unknown>> {
    return withRetry(this.logger, `${method} (artifact service)`, this.retry, () => this.callOnce(method, { ...this.backend, ...body }), kind === 'read' ? isTransient : failedAnswer)
  }

  /** This run's finalized artifacts (the service lists no others, so the caller knows their run). */
  async list(): Promise<Omit<ListedArtifact, 'runId'>[]> {
    const answer = await this.call('ListArtifacts', {}, 'read')
    const artifacts = Array.isArray(answer.artifacts) ? (answer.artifacts as Record<string, unknown>[]) : []
    return artifacts.flatMap(artifact => {
      const id = Number(artifact.database_id)
      const { name, created_at: createdAt } = artifact
      if (!Number.isSafeInteger(id) || typeof name !== 'string') return []
      return [{ id, name, createdAt: typeof createdAt === 'string' ? createdAt : new Date(0).toISOString() }]
    })
  }

  /** A short-lived address the artifact `name` of this run is read from. */
  async downloadUrl(name: string): Promise<string> {
    const answer = await this.call('GetSignedArtifactURL', { name }, 'read')
    if (typeof answer.signed_url !== 'string' || !answer.signed_url) throw new HttpFailure(`GetSignedArtifactURL: the artifact service gave no address for ${name}.`, 404)
    return answer.signed_url
  }

  async delete(name: string): Promise<void> {
    await this.call('DeleteArtifact', { name }, 'write')
  }

  private async callOnce(method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const url = new URL(`/twirp/${TWIRP_ARTIFACT_SERVICE}/${method}`, new URL(this.address.resultsUrl).origin)
    const payload = JSON.stringify(body)
    const answer = await exchange(method, url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.address.runtimeToken}`, 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) },
      body: payload
    })
    let parsed: Record<string, unknown>
    try {
      parsed = JSON.parse(answer.text) as Record<string, unknown>
    } catch {
      throw new HttpFailure(`${method}: the artifact service answered HTTP ${answer.status} with something that is not JSON.`, answer.status === 200 ? 502 : answer.status)
    }
    if (answer.status !== 200) {
      const said = typeof parsed.msg === 'string' ? `: ${parsed.msg.slice(0, 200)}` : ''
      throw new HttpFailure(`${method}: the artifact service answered HTTP ${answer.status}${said}`, answer.status)
    }
    return parsed
  }
}

/** The run's and the job's backend ids, from the runtime token's `Actions.Results:<run>:<job>` scope. */
export function backendIdsFromToken(token: string): { workflow_run_backend_id: string; workflow_job_run_backend_id: string } {
  const unreadable = new Error('ACTIONS_RUNTIME_TOKEN does not name the workflow run (no Actions.Results scope): the artifact service cannot be used from this job.')
  let scope: unknown
  try {
    scope = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { scp?: unknown }).scp
  } catch {
    throw unreadable
  }
  if (typeof scope !== 'string') throw unreadable
  for (const claim of scope.split(' ')) {
    const parts = claim.split(':')
    if (parts[0] !== 'Actions.Results') continue
    if (parts.length !== 3 || !parts[1] || !parts[2]) throw unreadable
    return { workflow_run_backend_id: parts[1], workflow_job_run_backend_id: parts[2] }
  }
  throw unreadable
}

function startRequest(url: URL, options: RequestOptions, answered: (response: IncomingMessage) => void): ClientRequest {
  return (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, answered)
}

/**
 * One HTTP request with a time limit: its status and up to 64 KiB of its answer's text. A 5xx or 429 is
 * thrown with its status, a connection lost before the whole answer came as `transient`. No message
 * holds the URL (an upload or download address carries its signature).
 */
export function exchange(what: string, url: URL, init: { method: string; headers: Record<string, string>; body?: string | Uint8Array }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = startRequest(url, { method: init.method, headers: init.headers, timeout: REQUEST_TIMEOUT_MS }, response => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (piece: string) => {
        if (text.length < 65_536) text += piece
      })
      response.on('end', () => {
        const status = response.statusCode ?? 0
        if (status >= 500 || status === 429) reject(new HttpFailure(`${what}: HTTP ${status}`, status))
        else resolve({ status, text })
      })
      response.on('error', error => reject(new HttpFailure(`${what}: the connection failed while the answer came (${error.message})`)))
      response.on('aborted', () => reject(new HttpFailure(`${what}: the connection failed while the answer came`)))
    })
    request.on('timeout', () => request.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)))
    request.on('error', error => reject(new HttpFailure(`${what}: the connection failed (${(error as NodeJS.ErrnoException).code ?? error.message})`)))
    request.end(init.body)
  })
}

/**
 * Reads a signed blob address into `path` (created or emptied, mode 600) as the bytes come: the name
 * is the caller's, never the one the answer suggests, and nothing is unpacked (a stored part is a raw
 * file; anything else fails the checks that follow). Not retried here: an address expires, so the
 * caller asks for a fresh one each attempt.
 */
export function downloadTo(url: URL, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = startRequest(url, { method: 'GET', timeout: DOWNLOAD_IDLE_MS }, response => {
      const status = response.statusCode ?? 0
      if (status !== 200) {
        response.resume()
        reject(new HttpFailure(`Blob storage answered HTTP ${status}`, status))
        return
      }
      pipeline(response, createWriteStream(path, { mode: 0o600 })).then(resolve, (error: NodeJS.ErrnoException) =>
        // The runner's own disk (ENOSPC, EACCES: the error names its path) is not the network: no retry helps.
        reject(error.path !== undefined ? error : new HttpFailure(`The download broke off (${error.code ?? error.message})`))
      )
    })
    request.on('timeout', () => request.destroy(new Error(`nothing came for ${DOWNLOAD_IDLE_MS / 1000} s`)))
    request.on('error', error => reject(new HttpFailure(`The download failed (${(error as NodeJS.ErrnoException).code ?? error.message})`)))
    request.end()
  })
}
