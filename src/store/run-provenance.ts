import { StoreError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import { MANIFEST_SUFFIX } from '../kernel/manifest.js'
import { storedFileName, type ArtifactStoreSettings, type ListedArtifact } from './artifact-listing.js'
import { DEFAULT_RETRY, restGet, withRetry } from './github-http.js'

// Run provenance (issue 10): anyone who can open a pull request can upload artifacts from its run, so
// the repository-wide listing is only as trustworthy as the runs it is narrowed to.

/** An artifact of the repository-wide listing; `distrust` when its own object already rules its run out. */
export interface RepositoryArtifact extends ListedArtifact {
  distrust?: RunVerdict
}

/** Why a run's artifacts are not listed: its code came from a fork or a pull request, or we could not find out. */
export interface RunVerdict {
  distrust: 'fork' | 'pull-request' | 'unchecked'
  detail: string
}

/** The fields of GitHub's workflow run object that say whose code ran. */
interface WorkflowRun {
  event?: unknown
  repository?: { full_name?: unknown } | null
  head_repository?: { full_name?: unknown } | null
}

const DISTRUST_LABELS: Record<RunVerdict['distrust'], string> = { fork: 'from forks', 'pull-request': 'from pull request runs', unchecked: 'from runs that could not be checked' }
/**
 * Events whose run executes a pull request's code rather than this repository's reviewed workflows: from
 * a fork such a run has no secrets and can still upload artifacts, so what it uploads is nobody's backup.
 */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment'])
/** Run look-ups in flight at once: quick on a long history, gentle on the API's rate limits. */
const RUN_CHECKS_AT_ONCE = 4

/** Which runs' artifacts may be listed: those that ran this repository's own code, looked up once per run. */
export class RunProvenance {
  private readonly verdicts = new Map<number, Promise<RunVerdict | undefined>>()
  private lastSummary = ''

  constructor(
    private readonly settings: ArtifactStoreSettings,
    private readonly logger: Logger
  ) {}

  /** For the `run-id` setting: a run whose artifacts are not ours is refused outright, not quietly emptied. */
  async refuseUntrusted(runId: number): Promise<void> {
    const verdict = await this.check(runId)
    if (!verdict) return
    const why = verdict.distrust === 'unchecked' ? 'could not be checked' : `did not run this repository's own code (${verdict.distrust === 'fork' ? 'a fork' : 'a pull request'})`
    throw new StoreError(
      `Workflow run ${runId} (run-id) ${why}: ${verdict.detail}. Backups are only read from runs of ${this.settings.repository} that are not pull requests, because anyone who can open a pull request can upload artifacts from its run.`,
      verdict.distrust === 'unchecked'
        ? 'check that github-token has `actions: read` on this repository and that the run exists, then retry.'
        : 'set run-id to a run of your backup workflow (push, schedule or workflow_dispatch), or leave it empty to restore the newest backup.'
    )
  }

  /**
   * The listing's manifests whose run ran this repository's own code; other artifacts are dropped too, as
   * a backup's parts are only ever fetched from its manifest's run. Says once how many were ignored and
   * why, so a restore that finds nothing explains itself.
   */
  async trustedOnly(artifacts: RepositoryArtifact[]): Promise<ListedArtifact[]> {
    const manifests = artifacts.filter(artifact => storedFileName(artifact.name).endsWith(MANIFEST_SUFFIX))
    const pending = [...new Set(manifests.filter(artifact => !artifact.distrust).map(artifact => artifact.runId))]
    const worker = async (): Promise<void> => {
      for (let runId = pending.shift(); runId !== undefined; runId = pending.shift()) await this.check(runId)
    }
    await Promise.all(Array.from({ length: RUN_CHECKS_AT_ONCE }, worker))
    const trusted: ListedArtifact[] = []
    const ignored = new Map<RunVerdict['distrust'], Set<number>>()
    for (const artifact of manifests) {
      const verdict = artifact.distrust ?? (await this.check(artifact.runId))
      if (!verdict) trusted.push(artifact)
      else ignored.set(verdict.distrust, (ignored.get(verdict.distrust) ?? new Set()).add(artifact.runId))
    }
    const summary = [...ignored].map(([distrust, runs]) => `${DISTRUST_LABELS[distrust]} (run ${[...runs].slice(0, 5).join(', ')}${runs.size > 5 ? ', …' : ''})`).join('; ')
    if (summary && summary !== this.lastSummary) {
      const count = manifests.length - trusted.length
      this.logger.info(`Ignored ${count} backup manifest${count === 1 ? '' : 's'} among the repository's artifacts that its own workflows did not upload: ${summary}.`)
    }
    this.lastSummary = summary
    return trusted
  }

  private check(runId: number): Promise<RunVerdict | undefined> {
    let verdict = this.verdicts.get(runId)
    if (!verdict) {
      verdict = this.lookUp(runId)
      this.verdicts.set(runId, verdict)
    }
    return verdict
  }

  /** GET …/actions/runs/{id}; a run that cannot be looked up is not trusted. */
  private async lookUp(runId: number): Promise<RunVerdict | undefined> {
    const unchecked = (detail: string): RunVerdict => ({ distrust: 'unchecked', detail })
    if (!this.settings.token) return unchecked('there is no github-token to look it up with')
    const url = `${this.settings.apiUrl}/repos/${this.settings.repository}/actions/runs/${runId}`
    try {
      const response = await withRetry(this.logger, `Checking workflow run ${runId}`, (this.settings.retry ?? DEFAULT_RETRY).request, () => restGet(url, this.settings.token ?? ''))
      if (!response.ok) {
        return unchecked(`the GitHub API answered HTTP ${response.status}`)
      }
      return runVerdict(response.json<WorkflowRun>(), this.settings.repository)
    } catch (error) {
      return unchecked(`the GitHub API failed (${(error as Error).message.split('\n')[0]})`)
    }
  }
}

/** What the REST artifact object alone tells: a fork's run, or a run it does not place at all. */
export function artifactRunVerdict(run: { repository_id?: number; head_repository_id?: number }): RunVerdict | undefined {
  if (typeof run.repository_id !== 'number' || typeof run.head_repository_id !== 'number') return { distrust: 'unchecked', detail: 'the artifact does not say which repository its run came from' }
  return run.head_repository_id === run.repository_id ? undefined : { distrust: 'fork', detail: 'its run came from another repository' }
}

/** Trusted (undefined) only for a run of `repository` itself, from its own head repository, that is no pull request. */
function runVerdict(run: WorkflowRun, repository: string): RunVerdict | undefined {
  const own = typeof run.repository?.full_name === 'string' ? run.repository.full_name : ''
  const head = typeof run.head_repository?.full_name === 'string' ? run.head_repository.full_name : ''
  if (own.toLowerCase() !== repository.toLowerCase()) return { distrust: 'unchecked', detail: `the GitHub API does not report it as a run of ${repository}` }
  if (head.toLowerCase() !== own.toLowerCase()) return { distrust: 'fork', detail: `its code came from ${printable(head)}, not ${repository}` }
  if (typeof run.event !== 'string') return { distrust: 'unchecked', detail: 'the GitHub API does not say which event started it' }
  if (PULL_REQUEST_EVENTS.has(run.event)) return { distrust: 'pull-request', detail: `it was started by a ${run.event} event` }
  return undefined
}

/** Repository names come from the API; anything unlike one is not echoed into a log line. */
function printable(name: string): string {
  return /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/.test(name) ? name : 'another repository'
}
