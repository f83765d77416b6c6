import { InputError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import { GithubArtifactStore } from './artifact.js'
import type { RetryPolicies } from './github-http.js'
import { LocalDirectoryStore } from './local-dir.js'
import { S3ObjectStore, type S3StoreSettings } from './s3.js'
import type { Store } from './store.js'

export type StoreSettings = { kind: 'local'; path: string } | { kind: 'github'; retentionDays?: number; runId?: number; token?: string } | ({ kind: 's3' } & S3StoreSettings)

/** `retry` is the seam for tests: the artifact store's back-off in milliseconds instead of seconds. */
export function createStore(settings: StoreSettings, env: NodeJS.ProcessEnv, logger: Logger, options: { retry?: RetryPolicies } = {}): Store {
  if (settings.kind === 'local') return new LocalDirectoryStore(settings.path, logger)
  if (settings.kind === 's3') return new S3ObjectStore(settings, logger)
  const repository = env.GITHUB_REPOSITORY ?? ''
  if (!env.ACTIONS_RUNTIME_TOKEN && !settings.runId) {
    throw new InputError('store', 'github needs the GitHub Actions runtime (ACTIONS_RUNTIME_TOKEN is not set).', 'run inside a workflow, or use store: local with store-path outside Actions.')
  }
  return new GithubArtifactStore(
    {
      retentionDays: settings.retentionDays,
      runId: settings.runId,
      token: settings.token,
      repository,
      apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
      currentRunId: env.GITHUB_RUN_ID ? Number(env.GITHUB_RUN_ID) : undefined,
      retry: options.retry
    },
    logger
  )
}
