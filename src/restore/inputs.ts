import { parseIdentities } from '../core/encryption.js'
import { InputReader } from '../core/input-reader.js'
import { parseTargetInputs, type TargetInputs } from '../core/target-inputs.js'

export interface RestoreInputs extends TargetInputs {
  backupId: string
  dryRun: boolean
  stopCommand: string
  startCommand: string
  safetyCopy: boolean
  safetyCopyDir: string
  /** Empty: every part. */
  parts: string[]
  /** age identities for encrypted backups. */
  identities: string[]
}

/** All restore inputs, validated before anything is downloaded or any connection is made. */
export function parseRestoreInputs(get: (name: string) => string): RestoreInputs {
  const reader = new InputReader(get)
  const target = parseTargetInputs(reader, 'restore')
  const safetyCopyDir = reader.absolutePath('safety-copy-dir', 'give a full path on the host, e.g. /var/backups/safety, or leave it empty.')
  return {
    ...target,
    backupId: reader.string('backup-id', { maxLength: 200 }),
    dryRun: reader.boolean('dry-run'),
    stopCommand: reader.string('stop-command', { multiline: true }),
    startCommand: reader.string('start-command', { multiline: true }),
    safetyCopy: reader.boolean('safety-copy'),
    safetyCopyDir,
    parts: reader.string('parts', { multiline: true }).split(/[\s,]+/).filter(Boolean),
    identities: parseIdentities(reader.string('age-identity', { multiline: true }))
  }
}
