import { artifactContainer } from './blob-storage.js'
import { TwirpError, integerField, requiredString, stringField, type JsonReply } from './http-helpers.js'
import type { TokenScope } from './runtime-token.js'
import { twirpDownloadUrlSeconds, uploadUrlSeconds, type ServiceContext } from './service-context.js'
import type { ArtifactRecord, RunRecord } from './service-state.js'

type Handler = (context: ServiceContext, caller: TokenScope, body: unknown) => Promise<unknown>

/**
 * The real service only lets a runtime token act on its own run; a request
 * naming other backend ids than the token's is refused rather than obeyed.
 */
function callerRun(context: ServiceContext, caller: TokenScope, body: unknown): RunRecord {
  const runBackendId = requiredString(body, 'workflow_run_backend_id')
  const jobBackendId = requiredString(body, 'workflow_job_run_backend_id')
  if (runBackendId !== caller.runBackendId || jobBackendId !== caller.jobBackendId) {
    throw new TwirpError('permission_denied', 'backend ids do not match the runtime token')
  }
  const run = context.state.runByBackendId(runBackendId)
  if (!run) throw new TwirpError('not_found', `unknown workflow run ${runBackendId}`)
  return run
}

function parseTimestamp(value: string | undefined, fieldName: string): Date | undefined {
  if (value === undefined) return undefined
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw new TwirpError('invalid_argument', `${fieldName} is not an RFC 3339 timestamp`)
  return date
}

function finalizedByName(context: ServiceContext, run: RunRecord, name: string): ArtifactRecord {
  const artifact = context.state.artifactInRun(run, name)
  if (!artifact || !artifact.finalized) throw new TwirpError('not_found', `artifact ${name} not found`)
  return artifact
}

const handlers: Record<string, Handler> = {
  async CreateArtifact(context, caller, body) {
    const run = callerRun(context, caller, body)
    const name = requiredString(body, 'name')
    if (context.state.artifactInRun(run, name)) {
      throw new TwirpError('already_exists', `an artifact named ${name} already exists in this workflow run`)
    }
    const expiresAt = parseTimestamp(stringField(body, 'expires_at'), 'expires_at')
    const artifact = context.state.createArtifact({
      run,
      jobBackendId: caller.jobBackendId,
      name,
      // google.protobuf.StringValue is written as a bare string in JSON.
      mimeType: stringField(body, 'mime_type'),
      version: integerField(body, 'version') ?? 0,
      expiresAt
    })
    return { ok: true, signed_upload_url: context.storage.uploadUrl(artifactContainer, artifact.blobName, uploadUrlSeconds) }
  },

  async FinalizeArtifact(context, caller, body) {
    const run = callerRun(context, caller, body)
    const name = requiredString(body, 'name')
    const artifact = context.state.artifactInRun(run, name)
    if (!artifact) throw new TwirpError('not_found', `artifact ${name} was never created`)
    if (artifact.finalized) throw new TwirpError('failed_precondition', `artifact ${name} is already finalized`)
    if (!(await context.storage.exists(artifactContainer, artifact.blobName))) {
      throw new TwirpError('failed_precondition', `nothing was uploaded for artifact ${name}`)
    }
    const size = integerField(body, 'size') ?? 0
    const hash = stringField(body, 'hash')
    if (hash !== undefined && !/^sha256:[0-9a-f]{64}$/.test(hash)) {
      throw new TwirpError('invalid_argument', 'hash must look like sha256:<64 hex digits>')
    }
    context.state.finalizeArtifact(artifact, size, hash)
    return { ok: true, artifact_id: String(artifact.id) }
  },

  async ListArtifacts(context, caller, body) {
    const run = callerRun(context, caller, body)
    const nameFilter = stringField(body, 'name_filter')
    const idFilter = integerField(body, 'id_filter')
    const now = Date.now()
    const artifacts = context.state
      .listArtifacts(run)
      .filter(artifact => artifact.expiresAt.getTime() > now)
      .filter(artifact => nameFilter === undefined || artifact.name === nameFilter)
      .filter(artifact => idFilter === undefined || artifact.id === idFilter)
      .reverse() // upload order within a run
      .map(artifact => ({
        workflow_run_backend_id: artifact.run.runBackendId,
        workflow_job_run_backend_id: artifact.jobBackendId,
        database_id: String(artifact.id),
        name: artifact.name,
        size: String(artifact.size),
        created_at: artifact.createdAt.toISOString(),
        ...(artifact.digest === undefined ? {} : { digest: artifact.digest })
      }))
    return { artifacts }
  },

  async GetSignedArtifactURL(context, caller, body) {
    const run = callerRun(context, caller, body)
    const artifact = finalizedByName(context, run, requiredString(body, 'name'))
    const signedUrl = context.storage.downloadUrl(artifactContainer, artifact.blobName, twirpDownloadUrlSeconds, {
      contentType: artifact.mimeType,
      fileName: artifact.fileName
    })
    return { signed_url: signedUrl }
  },

  async DeleteArtifact(context, caller, body) {
    const run = callerRun(context, caller, body)
    const artifact = finalizedByName(context, run, requiredString(body, 'name'))
    await context.storage.delete(artifactContainer, artifact.blobName)
    context.state.deleteArtifact(artifact)
    return { ok: true, artifact_id: String(artifact.id) }
  }
}

export async function handleArtifactRpc(context: ServiceContext, method: string, caller: TokenScope, body: unknown): Promise<JsonReply> {
  const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined
  if (!handler) throw new TwirpError('bad_route', `ArtifactService has no method ${method}`)
  return { status: 200, body: await handler(context, caller, body) }
}
