import { InputError } from '../kernel/errors.js'
import type { InputReader } from '../kernel/input-reader.js'
import type { VerificationSettings } from '../pipeline/verification.js'

const AGE_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }

export function parseVerificationInputs(reader: InputReader): VerificationSettings {
  const mode = reader.choice('mode', ['backup', 'check', 'prune'] as const)
  const maxAgeText = reader.string('max-age')
  let maxAgeSeconds: number | undefined
  if (maxAgeText) {
    const match = /^(\d+)\s*([smhdw]?)$/.exec(maxAgeText)
    if (!match || Number(match[1]) <= 0) throw new InputError('max-age', `"${maxAgeText}" is not a duration.`, 'write a number with a unit: 90m, 26h, 7d (s, m, h, d, w).')
    maxAgeSeconds = Number(match[1]) * AGE_UNITS[match[2] || 's']
  }
  if (mode === 'check' && maxAgeSeconds === undefined) throw new InputError('max-age', 'is required with mode: check.', 'e.g. max-age: 26h for a nightly backup.')
  return {
    mode,
    verify: reader.choice('verify', ['drill', 'checksum'] as const),
    shrinkThreshold: reader.integer('shrink-threshold', { min: 1, max: 100 }) ?? 50,
    failOnShrink: reader.boolean('fail-on-shrink'),
    maxAgeSeconds
  }
}
