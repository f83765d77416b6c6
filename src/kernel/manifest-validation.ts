import { appVersionProblems } from './app-version.js'
import { BLOCK_SIZE_RANGE, blockCount, chunkFileName, MANIFEST_FORMAT, parseBackupId, type Manifest, type PartRecord } from './manifest.js'

/** Part names become file names, artifact names and log text: a strict pattern, nothing a shell or the runner reads. */
export const PART_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/
const KINDS = new Set(['sqlite', 'tar', 'sql-dump'])
const COMPRESSIONS = new Set(['zstd', 'gzip', 'none'])
const SHA256 = /^[0-9a-f]{64}$/
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * Free text that may legitimately hold a line break: the recorded recipe options (a data root's name
 * may contain one), warnings and drill details that quote those paths, and table names. A restore
 * never uses these as paths or names, and every log line escapes them; everything else refuses
 * control characters outright.
 */
const FREE_TEXT = [
  /^options(\.|$)/,
  /^parts\.\d+\.warnings\./,
  /^parts\.\d+\.details\.(path|excluded|leftOut)/,
  /^notCovered\./,
  /^parts\.\d+\.tables\./,
  /^verification\.parts\.\d+\.detail$/,
  /^host$/
]

function controlCharacterPaths(value: unknown, path: string, found: string[]): void {
  if (found.length >= 5) return
  if (typeof value === 'string') {
    if (CONTROL.test(value) && !FREE_TEXT.some(pattern => pattern.test(path))) found.push(path || '(top level)')
    return
  }
  if (typeof value !== 'object' || value === null) return
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key
    if (CONTROL.test(key) && !FREE_TEXT.some(pattern => pattern.test(childPath))) found.push(`a key under ${path || 'the top level'}`)
    controlCharacterPaths(child, childPath, found)
  }
}

function partProblems(manifest: Manifest, part: PartRecord, index: number): string[] {
  const problems: string[] = []
  const label = typeof part?.name === 'string' && PART_NAME_PATTERN.test(part.name) ? `part ${part.name}` : `part #${index + 1}`
  if (typeof part !== 'object' || part === null) return [`${label} is not an object`]
  if (typeof part.name !== 'string' || !PART_NAME_PATTERN.test(part.name)) problems.push(`${label}: the name is not lower-case letters, digits, "-" and "_"`)
  if (!KINDS.has(part.kind)) problems.push(`${label}: unknown kind`)
  if (!COMPRESSIONS.has(part.compression)) problems.push(`${label}: unknown compression`)
  if (typeof part.file !== 'string' || !part.file.startsWith(`${manifest.backupId}.${part.name}.`) || /[/\\]/.test(part.file) || part.file.includes('..')) problems.push(`${label}: bad file name`)
  if (typeof part.sha256 !== 'string' || !SHA256.test(part.sha256)) problems.push(`${label}: bad sha256`)
  if (!Number.isSafeInteger(part.bytes) || part.bytes < 0) problems.push(`${label}: bad size`)
  if (part.encryption !== undefined) {
    if (part.encryption !== 'age') problems.push(`${label}: unknown encryption`)
    if (typeof part.plaintext?.sha256 !== 'string' || !SHA256.test(part.plaintext.sha256) || !Number.isSafeInteger(part.plaintext.bytes)) problems.push(`${label}: bad plaintext checksum`)
  }
  if (part.incremental !== undefined && (!Number.isSafeInteger(part.incremental?.level) || part.incremental.level < 0)) problems.push(`${label}: bad incremental level`)
  if (part.chunks !== undefined) problems.push(...chunkProblems(part, label))
  if (part.blockSize !== undefined || part.blocks !== undefined || part.chunks?.some?.(chunk => chunk?.blocks !== undefined)) problems.push(...blockProblems(part, label))
  if (part.tables !== undefined && (typeof part.tables !== 'object' || part.tables === null || Object.values(part.tables).some(rows => !Number.isSafeInteger(rows))))
    problems.push(`${label}: bad row counts`)
  return problems
}

/** Chunks are named by their place (so a reordered or renamed one is caught), and add up to the part. */
function chunkProblems(part: PartRecord, label: string): string[] {
  const chunks = part.chunks
  if (!Array.isArray(chunks) || chunks.length < 2) return [`${label}: a chunk list needs at least two chunks`]
  const problems: string[] = []
  chunks.forEach((chunk, index) => {
    if (typeof chunk !== 'object' || chunk === null || chunk.file !== chunkFileName(part.file, index))
      problems.push(`${label}: chunk ${index + 1} is not named ${chunkFileName(String(part.file), index)}`)
    else if (typeof chunk.sha256 !== 'string' || !SHA256.test(chunk.sha256) || !Number.isSafeInteger(chunk.bytes) || chunk.bytes <= 0)
      problems.push(`${label}: chunk ${index + 1} has a bad size or sha256`)
  })
  const total = chunks.reduce((sum, chunk) => sum + (Number.isSafeInteger(chunk?.bytes) ? chunk.bytes : 0), 0)
  if (problems.length === 0 && total !== part.bytes) problems.push(`${label}: its chunks hold ${total} bytes, the part ${part.bytes}`)
  return problems
}

/**
 * A block list holds one sha256 per block of its stored file, no more and no fewer: a restore yields a
 * block only after checking it, so a list that missed a block would let that block's bytes through unchecked.
 */
function blockProblems(part: PartRecord, label: string): string[] {
  const size = part.blockSize
  if (!Number.isSafeInteger(size) || (size as number) < BLOCK_SIZE_RANGE.min || (size as number) > BLOCK_SIZE_RANGE.max)
    return [`${label}: the block size is not a whole number of bytes from ${BLOCK_SIZE_RANGE.min} to ${BLOCK_SIZE_RANGE.max}`]
  if (Array.isArray(part.chunks) && part.blocks !== undefined) return [`${label}: a chunked part lists its blocks per chunk`]
  const pieces: { what: string; bytes: number; blocks: unknown }[] = Array.isArray(part.chunks)
    ? part.chunks.map((chunk, index) => ({ what: `chunk ${index + 1}`, bytes: chunk?.bytes, blocks: chunk?.blocks }))
    : [{ what: 'the file', bytes: part.bytes, blocks: part.blocks }]
  const problems: string[] = []
  for (const piece of pieces) {
    const expected = Number.isSafeInteger(piece.bytes) ? blockCount(piece.bytes, size as number) : -1
    if (!Array.isArray(piece.blocks) || piece.blocks.length !== expected || piece.blocks.some(sha256 => typeof sha256 !== 'string' || !SHA256.test(sha256)))
      problems.push(`${label}: ${piece.what} does not list one sha256 for each of its ${expected} blocks`)
  }
  return problems.slice(0, 3)
}

/** Every problem with a manifest's shape, so one error can name them all. */
export function manifestProblems(value: unknown, expectedBackupId?: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['it is not an object']
  const manifest = value as Manifest
  const problems: string[] = []
  if (manifest.format !== MANIFEST_FORMAT) problems.push(`format is not ${MANIFEST_FORMAT}`)
  const id = typeof manifest.backupId === 'string' ? parseBackupId(manifest.backupId) : null
  if (!id) problems.push('backupId is missing or malformed')
  if (expectedBackupId && manifest.backupId !== expectedBackupId) problems.push(`it describes another backup, not ${expectedBackupId}`)
  if (typeof manifest.app !== 'string' || manifest.app !== id?.app) problems.push('app does not match the backup id')
  if (typeof manifest.hostId !== 'string' || manifest.hostId !== id?.hostId) problems.push('hostId does not match the backup id')
  for (const field of ['startedAt', 'finishedAt'] as const) if (typeof manifest[field] !== 'string' || !ISO_TIME.test(manifest[field])) problems.push(`${field} is not a time`)
  if (typeof manifest.options !== 'object' || manifest.options === null) problems.push('options are missing')
  if (!Array.isArray(manifest.parts) || manifest.parts.length === 0) problems.push('it lists no parts')
  else {
    manifest.parts.forEach((part, index) => problems.push(...partProblems(manifest, part, index)))
    const names = manifest.parts.map(part => part?.name)
    if (new Set(names).size !== names.length) problems.push('a part name appears twice')
  }
  if (manifest.incremental !== undefined) problems.push(...chainProblems(manifest))
  problems.push(...appVersionProblems(manifest.application))
  if (manifest.notCovered !== undefined && (!Array.isArray(manifest.notCovered) || manifest.notCovered.some(line => typeof line !== 'string'))) problems.push('notCovered is not a list of sentences')
  const controls: string[] = []
  controlCharacterPaths(value, '', controls)
  if (controls.length > 0) problems.push(`control characters in ${controls.join(', ')}`)
  return problems
}

function chainProblems(manifest: Manifest): string[] {
  const chain = manifest.incremental?.chain
  if (!Array.isArray(chain) || manifest.incremental?.level !== chain.length) return ['incremental: the chain does not match its level']
  const own = parseBackupId(manifest.backupId)
  const foreign = chain.filter(id => {
    const link = typeof id === 'string' ? parseBackupId(id) : null
    return !link || link.app !== own?.app || link.hostId !== own?.hostId || link.stamp > own.stamp
  })
  return foreign.length > 0 ? [`incremental: ${foreign.length} chain entries are not earlier backups of the same app and host`] : []
}
