import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { InputError } from '../core/errors.js'
import type { InputReader } from '../core/input-reader.js'
import type { Logger } from '../core/log.js'
import { GithubArtifactStore } from './artifact.js'
import { LocalDirectoryStore } from './local-dir.js'
import type { Store } from './store.js'

export type StoreSettings =
  | { kind: 'local'; path: string }
  | { kind: 'github'; retentionDays?: number; runId?: number; token?: string }


export function parseStoreInputs(reader: InputReader, action: 'backup' | 'restore'): StoreSettings {
  const kind = reader.choice('store', ['github', 'local'] as const)
  const storePath = reader.string('store-path')
  if (kind === 'local') {
    const path = storePath || reader.required('store-path', 'with store: local')
    return { kind, path: resolve(path.replace(/^~(?=$|\/)/, homedir())) }
  }
  if (action === 'backup') return { kind, retentionDays: reader.integer('retention-days', { min: 1, max: 400 }), token: reader.string('github-token') || undefined }
  const runId = reader.integer('run-id', { min: 1, max: Number.MAX_SAFE_INTEGER })
  const token = reader.string('github-token') || undefined
  if (runId && !token) throw new InputError('github-token', 'is required with run-id (reading another run\'s artifacts).', 'pass a token with `actions: read`; the default `${{ github.token }}` works with `permissions: actions: read`.')
  return { kind, runId, token }
}

export function createStore(settings: StoreSettings, env: NodeJS.ProcessEnv, logger: Logger): Store {
  if (settings.kind === 'local') return new LocalDirectoryStore(settings.path, logger)
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
      currentRunId: env.GITHUB_RUN_ID ? Number(env.GITHUB_RUN_ID) : undefined
    },
    logger
  )
}
