import { artifactContainer } from './blob-storage.js'
import type { JsonReply } from './http-helpers.js'
import { restDownloadUrlSeconds, type ServiceContext } from './service-context.js'
import type { ArtifactRecord, RunRecord } from './service-state.js'

const documentationUrl = 'https://docs.github.com/rest/actions/artifacts'
const defaultPerPage = 30
const maxPerPage = 100

function restError(status: number, message: string): JsonReply {
  return { status, body: { message, documentation_url: documentationUrl, status: String(status) } }
}

/** GitHub's artifact object, with millisecond timestamps so ordering survives fast uploads. */
function artifactJson(context: ServiceContext, artifact: ArtifactRecord): Record<string, unknown> {
  const url = `${context.apiUrl}/repos/${context.repository}/actions/artifacts/${artifact.id}`
  return {
    id: artifact.id,
    node_id: Buffer.from(`Artifact:${artifact.id}`).toString('base64'),
    name: artifact.name,
    size_in_bytes: artifact.size,
    url,
    archive_download_url: `${url}/zip`,
    expired: artifact.expiresAt.getTime() <= Date.now(),
    digest: artifact.digest ?? null,
    created_at: artifact.createdAt.toISOString(),
    updated_at: artifact.updatedAt.toISOString(),
    expires_at: artifact.expiresAt.toISOString(),
    workflow_run: {
      id: artifact.run.runId,
      repository_id: context.state.repositoryId(context.repository),
      head_repository_id: artifact.run.headRepositoryId,
      head_branch: artifact.run.headBranch,
      head_sha: artifact.run.headSha
    }
  }
}

function repositoryJson(context: ServiceContext, fullName: string): Record<string, unknown> {
  const [owner, name] = fullName.split('/')
  const id = context.state.repositoryId(fullName)
  return { id, node_id: Buffer.from(`Repository:${id}`).toString('base64'), name, full_name: fullName, owner: { login: owner }, fork: fullName.toLowerCase() !== context.repository.toLowerCase() }
}

/** GitHub's workflow run object, with the fields that say whose code ran: `event`, `repository`, `head_repository`. */
function runJson(context: ServiceContext, run: RunRecord): Record<string, unknown> {
  const url = `${context.apiUrl}/repos/${context.repository}/actions/runs/${run.runId}`
  return {
    id: run.runId,
    name: 'backup',
    node_id: Buffer.from(`WorkflowRun:${run.runId}`).toString('base64'),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: '.github/workflows/backup.yml',
    run_number: run.runId % 1000,
    run_attempt: 1,
    event: run.event,
    status: 'in_progress',
    conclusion: null,
    url,
    artifacts_url: `${url}/artifacts`,
    // GitHub leaves this empty for a fork's pull request, whose head is not in the repository.
    pull_requests: run.pullRequestNumber === undefined || run.headRepository !== context.repository ? [] : [{ number: run.pullRequestNumber }],
    repository: repositoryJson(context, context.repository),
    head_repository: repositoryJson(context, run.headRepository)
  }
}

function page(context: ServiceContext, url: URL, artifacts: ArtifactRecord[]): JsonReply {
  const nameFilter = url.searchParams.get('name')
  const matching = nameFilter === null ? artifacts : artifacts.filter(artifact => artifact.name === nameFilter)
  const perPage = Math.min(maxPerPage, Math.max(1, Number(url.searchParams.get('per_page') ?? defaultPerPage) || defaultPerPage))
  const pageNumber = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
  const slice = matching.slice((pageNumber - 1) * perPage, pageNumber * perPage)
  const lastPage = Math.max(1, Math.ceil(matching.length / perPage))
  const headers: Record<string, string> = {}
  const links: string[] = []
  const linkTo = (target: number, rel: string): void => {
    const next = new URL(url)
    next.searchParams.set('page', String(target))
    next.searchParams.set('per_page', String(perPage))
    // `url` already carries the API prefix in its path, so only the origin is added.
    links.push(`<${new URL(context.apiUrl).origin}${next.pathname}${next.search}>; rel="${rel}"`)
  }
  if (pageNumber < lastPage) {
    linkTo(pageNumber + 1, 'next')
    linkTo(lastPage, 'last')
  }
  if (links.length > 0) headers.link = links.join(', ')
  return { status: 200, headers, body: { total_count: matching.length, artifacts: slice.map(artifact => artifactJson(context, artifact)) } }
}

/**
 * Serves the artifact endpoints of the REST API. `path` is relative to
 * `apiUrl`; `url` only supplies the query string.
 */
export async function handleRest(context: ServiceContext, method: string, path: string, url: URL, credential: string | undefined): Promise<JsonReply> {
  if (credential !== context.githubToken && credential !== context.readOnlyToken) return restError(401, 'Bad credentials')
  // What GitHub answers a token whose permissions do not include actions: write.
  if (credential === context.readOnlyToken && method !== 'GET') return restError(403, 'Resource not accessible by integration')

  const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(path)
  if (!repoMatch) return restError(404, 'Not Found')
  const [, owner, repo, rest] = repoMatch
  // GitHub treats owner and repository names case-insensitively.
  if (`${decodeURIComponent(owner)}/${decodeURIComponent(repo)}`.toLowerCase() !== context.repository.toLowerCase()) {
    return restError(404, 'Not Found')
  }

  const runArtifacts = /^\/actions\/runs\/(\d+)\/artifacts$/.exec(rest)
  if (runArtifacts && method === 'GET') {
    const run = context.state.runById(Number(runArtifacts[1]))
    if (!run) return restError(404, 'Not Found')
    return page(context, url, context.state.listArtifacts(run))
  }

  const singleRun = /^\/actions\/runs\/(\d+)$/.exec(rest)
  if (singleRun && method === 'GET') {
    const run = context.state.runById(Number(singleRun[1]))
    return run ? { status: 200, body: runJson(context, run) } : restError(404, 'Not Found')
  }

  if (rest === '/actions/artifacts' && method === 'GET') {
    return page(context, url, context.state.listArtifacts())
  }

  const single = /^\/actions\/artifacts\/(\d+)(?:\/([^/]+))?$/.exec(rest)
  if (!single) return restError(404, 'Not Found')
  const artifact = context.state.artifactById(Number(single[1]))
  if (!artifact) return restError(404, 'Not Found')
  const format = single[2]

  if (format === undefined && method === 'GET') return { status: 200, body: artifactJson(context, artifact) }

  if (format === undefined && method === 'DELETE') {
    context.state.deleteArtifact(artifact)
    await context.storage.delete(artifactContainer, artifact.blobName)
    return { status: 204 }
  }

  if (format !== undefined && method === 'GET') {
    if (format !== 'zip') return restError(404, 'Not Found')
    if (artifact.expiresAt.getTime() <= Date.now()) return restError(410, 'Artifact has expired')
    // The download URL carries the content type and file name, so a raw
    // (unzipped) artifact comes back as itself, exactly as from the Twirp path.
    const location = context.storage.downloadUrl(artifactContainer, artifact.blobName, restDownloadUrlSeconds, {
      contentType: artifact.mimeType,
      fileName: artifact.fileName
    })
    return { status: 302, headers: { location } }
  }

  return restError(404, 'Not Found')
}
