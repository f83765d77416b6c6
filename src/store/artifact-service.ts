import type { Logger } from '../kernel/log.js'
import type { ListedArtifact } from './artifact-listing.js'
import { isTransient, withRetry, type RetryPolicy } from './github-http.js'
import { exchange, HttpFailure, PARSED_ANSWER_BYTES } from './http-exchange.js'

/** How the job reaches GitHub's artifact service: ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN. */
export interface ArtifactServiceAddress {
  resultsUrl: string
  runtimeToken: string
}

const TWIRP_ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService'
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
      body: payload,
      // ListArtifacts answers a whole run in one reply: cut at the default 64 KiB, a backup of some 180
      // chunks could not be listed (its size check retried for 27 s and gave up).
      answerBytes: PARSED_ANSWER_BYTES
    })
    // Cut is not transient: asking again gets the same answer, so it is an error of its own, never retried.
    if (answer.cut) {
      throw new Error(`${method}: the artifact service's answer is larger than ${PARSED_ANSWER_BYTES / 1024 / 1024} MiB (tens of thousands of artifacts in this run; a larger chunk-size makes fewer)`)
    }
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
