import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { InputError } from '../kernel/errors.js'
import type { InputReader } from '../kernel/input-reader.js'
import type { StoreSettings } from '../store/settings.js'
import { parseS3Inputs } from './store-s3.js'

export function parseStoreInputs(reader: InputReader, action: 'backup' | 'restore', env: NodeJS.ProcessEnv = process.env): StoreSettings {
  const kind = reader.choice('store', ['github', 'local', 's3'] as const)
  if (kind === 's3') return { kind, ...parseS3Inputs(reader, action, env) }
  const storePath = reader.string('store-path')
  if (kind === 'local') {
    const path = storePath || reader.required('store-path', 'with store: local')
    return { kind, path: resolve(path.replace(/^~(?=$|\/)/, homedir())) }
  }
  if (action === 'backup') return { kind, retentionDays: reader.integer('retention-days', { min: 1, max: 400 }), token: reader.string('github-token') || undefined }
  const runId = reader.integer('run-id', { min: 1, max: Number.MAX_SAFE_INTEGER })
  const token = reader.string('github-token') || undefined
  if (runId && !token)
    throw new InputError(
      'github-token',
      "is required with run-id (reading another run's artifacts).",
      'pass a token with `actions: read`; the default `${{ github.token }}` works with `permissions: actions: read`.'
    )
  return { kind, runId, token }
}
