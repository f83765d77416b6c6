import { InputError } from '../kernel/errors.js'
import { isRepositoryName } from '../kernel/repository-name.js'
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
  // Outside a workflow run the artifacts are read through the REST API: with a token, of a named repository.
  if (!env.ACTIONS_RUNTIME_TOKEN && !settings.token) {
    throw new InputError(
      'store',
      'github is read outside a workflow run through the GitHub API, and no github-token was given (ACTIONS_RUNTIME_TOKEN is not set either).',
      'pass a token with actions: read (--github-token-file PATH or SELFHOST_BACKUP_GITHUB_TOKEN) and --repository owner/name; or use store: local or s3.'
    )
  }
  if (!env.ACTIONS_RUNTIME_TOKEN && !isRepositoryName(repository)) {
    throw new InputError(
      'repository',
      'reading the github store outside a workflow run needs the repository the backups were made in.',
      'pass --repository owner/name (the repository whose workflow ran the backup).'
    )
  }
  return new GithubArtifactStore(
    {
      retentionDays: settings.retentionDays,
      runId: settings.runId,
      token: settings.token,
      repository,
      apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
      currentRunId: env.GITHUB_RUN_ID ? Number(env.GITHUB_RUN_ID) : undefined,
      serverUrl: env.GITHUB_SERVER_URL || undefined,
      repositoryRetentionDays: positiveInteger(env.GITHUB_RETENTION_DAYS),
      retry: options.retry
    },
    logger
  )
}

/** A positive whole number from the environment, or undefined (as the artifact client reads GITHUB_RETENTION_DAYS, but stricter). */
function positiveInteger(value: string | undefined): number | undefined {
  return value && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined
}
