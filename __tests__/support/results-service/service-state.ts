import { randomBytes, randomUUID } from 'node:crypto'

/** Where a run's code came from; by default the repository's own branch, started by hand. */
export interface RunOrigin {
  /** The event that started the run, e.g. `push`, `schedule`, `pull_request`; default `workflow_dispatch`. */
  event?: string
  /** `owner/name` whose code ran; default the repository itself. A fork's pull request names the fork. */
  headRepository?: string
}

export interface RunRecord {
  runId: number
  runBackendId: string
  jobBackendId: string
  headSha: string
  headBranch: string
  event: string
  /** `owner/name` */
  headRepository: string
  headRepositoryId: number
  /** Set for a pull request event: the number its `refs/pull/<n>/merge` ref carries. */
  pullRequestNumber?: number
}

export interface ArtifactRecord {
  id: number
  name: string
  run: RunRecord
  jobBackendId: string
  /** Blob name inside the artifact container */
  blobName: string
  /** What a download is called: `<name>.zip`, or the raw file's own name */
  fileName: string
  mimeType: string
  zipped: boolean
  version: number
  size: number
  digest?: string
  createdAt: Date
  updatedAt: Date
  expiresAt: Date
  finalized: boolean
}

export interface CacheEntryRecord {
  id: number
  key: string
  version: string
  blobName: string
  size: number
  createdAt: Date
  finalized: boolean
}

const zipMimeType = 'application/zip'
const pullRequestEvents = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment'])
const dayMs = 24 * 60 * 60 * 1000

/**
 * Everything the emulator remembers, in memory. Ids only grow, so newer
 * artifacts always have larger ids, which is what the clients sort by.
 */
export class ServiceState {
  private readonly runsByBackendId = new Map<string, RunRecord>()
  private readonly runsById = new Map<number, RunRecord>()
  private readonly artifacts = new Map<number, ArtifactRecord>()
  private readonly cacheEntries: CacheEntryRecord[] = []
  private readonly repositoryIds = new Map<string, number>()
  // Large, distinct starting points make it obvious in a failure which id is which.
  private nextRunId = 7_000_000_001
  private nextArtifactId = 3_000_000_001
  private nextCacheEntryId = 1
  private nextPullRequestNumber = 1
  private lastTimestampMs = 0

  /** `repository` gets id 1 (what the REST artifact objects always said); forks get the next ones. */
  constructor(
    readonly defaultRetentionDays: number,
    readonly repository: string
  ) {
    this.repositoryId(repository)
  }

  /** GitHub's numeric repository id, stable per `owner/name` (case-insensitively, as GitHub matches names). */
  repositoryId(fullName: string): number {
    const key = fullName.toLowerCase()
    let id = this.repositoryIds.get(key)
    if (id === undefined) {
      id = this.repositoryIds.size + 1
      this.repositoryIds.set(key, id)
    }
    return id
  }

  /** Monotonic even within one millisecond, so `created_at` orders reliably. */
  now(): Date {
    this.lastTimestampMs = Math.max(Date.now(), this.lastTimestampMs + 1)
    return new Date(this.lastTimestampMs)
  }

  createRun(origin: RunOrigin = {}): RunRecord {
    const event = origin.event ?? 'workflow_dispatch'
    const headRepository = origin.headRepository ?? this.repository
    const pullRequest = pullRequestEvents.has(event)
    const run: RunRecord = {
      runId: this.nextRunId++,
      runBackendId: randomUUID(),
      jobBackendId: randomUUID(),
      headSha: randomBytes(20).toString('hex'),
      headBranch: pullRequest ? 'patch-1' : 'main',
      event,
      headRepository,
      headRepositoryId: this.repositoryId(headRepository),
      ...(pullRequest ? { pullRequestNumber: this.nextPullRequestNumber++ } : {})
    }
    this.runsByBackendId.set(run.runBackendId, run)
    this.runsById.set(run.runId, run)
    return run
  }

  runByBackendId(runBackendId: string): RunRecord | undefined {
    return this.runsByBackendId.get(runBackendId)
  }

  runById(runId: number): RunRecord | undefined {
    return this.runsById.get(runId)
  }

  /** Pending uploads count too: the real service reserves the name at creation. */
  artifactInRun(run: RunRecord, name: string): ArtifactRecord | undefined {
    for (const artifact of this.artifacts.values()) {
      if (artifact.run === run && artifact.name === name) return artifact
    }
    return undefined
  }

  createArtifact(input: { run: RunRecord; jobBackendId: string; name: string; mimeType?: string; version: number; expiresAt?: Date }): ArtifactRecord {
    const id = this.nextArtifactId++
    // Clients before version 7 send no mime type and always upload a zip.
    const mimeType = input.mimeType ?? zipMimeType
    const zipped = mimeType === zipMimeType
    const fileName = zipped && !input.name.toLowerCase().endsWith('.zip') ? `${input.name}.zip` : input.name
    const createdAt = this.now()
    const artifact: ArtifactRecord = {
      id,
      name: input.name,
      run: input.run,
      jobBackendId: input.jobBackendId,
      blobName: `${input.run.runBackendId}/${input.jobBackendId}/${id}/${fileName}`,
      fileName,
      mimeType,
      zipped,
      version: input.version,
      size: 0,
      createdAt,
      updatedAt: createdAt,
      expiresAt: input.expiresAt ?? new Date(createdAt.getTime() + this.defaultRetentionDays * dayMs),
      finalized: false
    }
    this.artifacts.set(id, artifact)
    return artifact
  }

  finalizeArtifact(artifact: ArtifactRecord, size: number, digest: string | undefined): void {
    artifact.size = size
    artifact.digest = digest
    artifact.finalized = true
    artifact.updatedAt = this.now()
  }

  artifactById(id: number): ArtifactRecord | undefined {
    const artifact = this.artifacts.get(id)
    return artifact?.finalized ? artifact : undefined
  }

  deleteArtifact(artifact: ArtifactRecord): void {
    this.artifacts.delete(artifact.id)
  }

  /** Finalized artifacts, newest first; optionally only one run's. */
  listArtifacts(run?: RunRecord): ArtifactRecord[] {
    return [...this.artifacts.values()]
      .filter(artifact => artifact.finalized && (run === undefined || artifact.run === run))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
  }

  cacheEntry(key: string, version: string): CacheEntryRecord | undefined {
    return this.cacheEntries.find(entry => entry.key === key && entry.version === version)
  }

  createCacheEntry(key: string, version: string): CacheEntryRecord {
    const id = this.nextCacheEntryId++
    const entry: CacheEntryRecord = { id, key, version, blobName: `${id}/cache.tzst`, size: 0, createdAt: this.now(), finalized: false }
    this.cacheEntries.push(entry)
    return entry
  }

  /**
   * GitHub's documented order: the key exactly, then the key as a prefix, then
   * each restore key as a prefix; among several prefix matches the newest wins.
   */
  matchCacheEntry(key: string, restoreKeys: string[], version: string): CacheEntryRecord | undefined {
    const candidates = this.cacheEntries.filter(entry => entry.finalized && entry.version === version).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    const exact = candidates.find(entry => entry.key === key)
    if (exact) return exact
    for (const prefix of [key, ...restoreKeys]) {
      const match = candidates.find(entry => entry.key.startsWith(prefix))
      if (match) return match
    }
    return undefined
  }
}
