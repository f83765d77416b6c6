import { parseIdentities } from '../kernel/encryption.js'
import { InputReader } from '../kernel/input-reader.js'
import type { RestoreCommand } from '../pipeline/restore.js'
import { parseSigningInputs } from './signing.js'
import { parseTargetInputs, type TargetInputs } from './target.js'

/** Everything a restore run needs: where (target) and what (the pipeline's RestoreCommand). */
export interface RestoreInputs extends TargetInputs, RestoreCommand {}

/** All restore inputs, validated before anything is downloaded or any connection is made. */
export function parseRestoreInputs(get: (name: string) => string): RestoreInputs {
  const reader = new InputReader(get)
  const target = parseTargetInputs(reader, 'restore')
  const safetyCopyDir = reader.absolutePath('safety-copy-dir', 'give a full path on the host, e.g. /var/backups/safety, or leave it empty.')
  const dryRun = reader.boolean('dry-run')
  const safetyCopy = reader.boolean('safety-copy')
  // The safety copy is a backup of its own, signed so that it can be restored with the same checks.
  const signing = parseSigningInputs(reader, target.transport.kind, safetyCopy && !dryRun ? 'sign' : 'verify')
  return {
    ...target,
    backupId: reader.string('backup-id', { maxLength: 200 }),
    dryRun,
    stopCommand: reader.string('stop-command', { multiline: true }),
    startCommand: reader.string('start-command', { multiline: true }),
    safetyCopy,
    safetyCopyDir,
    parts: reader
      .string('parts', { multiline: true })
      .split(/[\s,]+/)
      .filter(Boolean),
    identities: parseIdentities(reader.string('age-identity', { multiline: true })),
    signing,
    allowVersionMismatch: reader.boolean('allow-version-mismatch')
  }
}
