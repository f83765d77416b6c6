import type { BlobStorage } from './blob-storage.js'
import type { ServiceState } from './service-state.js'

/** What every handler needs; built once per emulator instance. */
export interface ServiceContext {
  state: ServiceState
  storage: BlobStorage
  /** `owner/name` */
  repository: string
  githubToken: string
  /** A token with `actions: read` only, as a job without `actions: write` gets: reads pass, deletions get 403. */
  readOnlyToken: string
  apiUrl: string
}

// Upload URLs must outlive a slow upload; the REST redirect mirrors GitHub's
// roughly one-minute download links so tests notice if a caller caches them.
export const uploadUrlSeconds = 60 * 60
export const twirpDownloadUrlSeconds = 10 * 60
export const restDownloadUrlSeconds = 60
