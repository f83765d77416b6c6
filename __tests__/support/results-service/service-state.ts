import { randomBytes, randomUUID } from 'node:crypto'

export interface RunRecord {
  runId: number
  runBackendId: string
  jobBackendId: string
  headSha: string
  headBranch: string
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
  // Large, distinct starting points make it obvious in a failure which id is which.
  private nextRunId = 7_000_000_001
  private nextArtifactId = 3_000_000_001
  private nextCacheEntryId = 1
  private lastTimestampMs = 0

  constructor(readonly defaultRetentionDays: number) {}

  /** Monotonic even within one millisecond, so `created_at` orders reliably. */
  now(): Date {
    this.lastTimestampMs = Math.max(Date.now(), this.lastTimestampMs + 1)
    return new Date(this.lastTimestampMs)
  }

  createRun(): RunRecord {
    const run: RunRecord = {
      runId: this.nextRunId++,
      runBackendId: randomUUID(),
      jobBackendId: randomUUID(),
      headSha: randomBytes(20).toString('hex'),
      headBranch: 'main'
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

  createArtifact(input: { run: RunRecord, jobBackendId: string, name: string, mimeType?: string, version: number, expiresAt?: Date }): ArtifactRecord {
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
    const candidates = this.cacheEntries
      .filter(entry => entry.finalized && entry.version === version)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    const exact = candidates.find(entry => entry.key === key)
    if (exact) return exact
    for (const prefix of [key, ...restoreKeys]) {
      const match = candidates.find(entry => entry.key.startsWith(prefix))
      if (match) return match
    }
    return undefined
  }
}
