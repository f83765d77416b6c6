import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm, statfs } from 'node:fs/promises'
import { posix } from 'node:path'
import type { Readable } from 'node:stream'
import type { VerifiedPart } from '../recipes/recipe.js'
import type { Store, StoredBackup } from '../store/store.js'
import { LocalTransport } from '../transport/local.js'
import type { Transport } from '../transport/transport.js'
import { checkTarballEntries } from '../sources/tar-check.js'
import { extractTarConfined, unsafeTreeError } from '../sources/tar.js'
import { AGE_EXTENSION, decryptStream } from '../kernel/encryption.js'
import { InputError, VerificationError } from '../kernel/errors.js'
import { formatBytes, formatSeconds, type Logger } from '../kernel/log.js'
import { progressReporter } from '../kernel/progress.js'
import { isIncrementPart, type Manifest, type PartRecord } from '../kernel/manifest.js'
import { quote, script } from '../kernel/shell.js'
import { deadBytesRead } from '../kernel/dead-buffers.js'
import { Fanout } from './fanout.js'
import { fetchManifest, type ManifestReading } from './verification.js'

export interface FetchSelection {
  /** Restore only these parts; empty: all. */
  only: string[]
  identities: string[]
}

/**
 * Where the verified bytes go: a private staging directory on the host (see host-incoming.ts), or nowhere
 * for a dry run, which proves the backup without writing anything on either machine beyond one chunk.
 */
export interface FetchPlace {
  /** The runner directory one downloaded chunk (or one unchunked part) lands in while it is checked. */
  runnerDir: string
  staging: { host: Transport; dir: string } | null
  /** Called with each part once it is staged and verified whole (an incremental one with its chain), while the next streams. */
  onStaged?: (part: VerifiedPart) => void
}

/**
 * Streams the parts of a backup whose manifest already verified (and, for incremental tarballs, the same
 * part of every backup of the chain, each manifest verified too) through the runner into the host's
 * staging directory, proving them on the way: each chunk's sha256 before its bytes go on, the whole part's
 * sha256, the plaintext checksum after decryption, the tar listing (no unsafe entries) beside the transfer,
 * and the sha256 of the file as it landed on the host. The runner holds one chunk at a time, two when it has room (the next is fetched ahead). Nothing live
 * on the host changes here; any failure leaves only the staging directory, which the caller removes.
 */
export async function fetchVerifiedParts(
  store: Store,
  backup: StoredBackup,
  manifest: Manifest,
  selection: FetchSelection,
  place: FetchPlace,
  reading: ManifestReading,
  logger: Logger
): Promise<VerifiedPart[]> {
  const { only, identities } = selection
  if (manifest.encryption && identities.length === 0) {
    throw new InputError(
      'age-identity',
      `${backup.backupId} is encrypted (to recipients ${manifest.encryption.recipients.join(', ')}), and no identity was given.`,
      'pass the age identity (AGE-SECRET-KEY-1…) from your secret as age-identity.'
    )
  }
  const unknown = only.filter(name => !manifest.parts.some(part => part.name === name))
  if (unknown.length > 0) {
    throw new InputError('parts', `${backup.backupId} has no part ${unknown.join(', ')}.`, `choose from: ${manifest.parts.map(part => part.name).join(', ')}.`)
  }
  const selected = manifest.parts.filter(part => only.length === 0 || only.includes(part.name))
  // Every link's manifest is verified before a single part byte moves.
  const chains = await chainLinks(store, manifest, selected.filter(isIncrementPart), reading, logger)
  const damage: string[] = []
  const transfer = { store, place, identities, damage, logger }
  const parts: VerifiedPart[] = []
  // A part is handed on only when nothing so far was damaged: a damaged backup is refused as a whole.
  const staged = (part: VerifiedPart): void => {
    if (damage.length === 0 && place.staging) place.onStaged?.(part)
  }
  for (const record of selected) {
    const part = await transferPart(transfer, backup, record)
    parts.push(part)
    if (!chains.has(record.name)) staged(part)
  }
  for (const part of parts) {
    const links = chains.get(part.record.name)
    if (!links) continue
    part.chain = await serially(links, link => transferPart(transfer, link.backup, link.record))
    staged(part)
  }
  throwIfDamaged(backup, damage)
  return parts
}

interface Transfer {
  store: Store
  place: FetchPlace
  identities: string[]
  /** Size and checksum mismatches, collected over all parts so the error names every damaged file. */
  damage: string[]
  logger: Logger
}

/** Set by the byte source before it stops on a stored file whose bytes are not the manifest's: recorded as damage, not thrown. */
type Finding = { damage?: string }

async function transferPart(transfer: Transfer, backup: StoredBackup, record: PartRecord): Promise<VerifiedPart> {
  const { place, logger } = transfer
  const encrypted = record.encryption === 'age'
  // A full tarball is extracted as it streams in (one pass on the host, before anything live changes); an
  // incremental one must wait for the links it builds on, and other parts are files the recipe reads.
  const extracting = place.staging !== null && record.kind === 'tar' && record.incremental === undefined
  const name = extracting ? `tree-${record.name}` : encrypted ? record.file.slice(0, -AGE_EXTENSION.length) : record.file
  const staged = place.staging ? posix.join(place.staging.dir, name) : ''
  const part: VerifiedPart = { record, on: 'host', path: staged, ...(extracting ? { extracted: true } : {}) }
  // The finding, not the error: age wraps what its source threw.
  const finding: Finding = {}
  const stored = verifiedBytes(transfer.store, backup, record, place.runnerDir, finding)
  const outlets = new Fanout()
  const began = Date.now()
  try {
    const plaintext = encrypted ? await decryptStream(transfer.identities, stored) : stored
    const landed = place.staging ? outlets.add(input => (extracting ? extractOnHost : stageOnHost)(place.staging!.host, staged, record, input)) : null
    const listed = record.kind === 'tar' ? outlets.add(input => listTarball(record, input)) : null
    // Stored bytes are hashed while they are verified; only a decrypted plaintext needs hashing here.
    const counted = await pump(plaintext, outlets, progressReporter(logger, `${record.name}: ${place.staging ? 'staged' : 'verified'}`, Date.now()), encrypted)
    await outlets.finish()
    if (encrypted && (counted.sha256 !== record.plaintext?.sha256 || counted.bytes !== record.plaintext?.bytes)) {
      throw new VerificationError(`${record.file} decrypts to content that does not match the manifest; nothing on the host was changed.`, 'restore another backup (set backup-id).')
    }
    // What was sent is what verified: the plaintext checked just now, or the stored bytes checked piece by piece.
    const sent = encrypted ? counted.sha256 : record.sha256
    const onHost = landed ? await landed : undefined
    if (onHost !== undefined && onHost.sha256 !== sent) {
      throw new VerificationError(
        `${record.file} arrived on the host with sha256 ${onHost.sha256}, not the ${sent} that was sent; nothing on the host was changed.`,
        "run the restore again; if it repeats, check the host's disk and memory."
      )
    }
    if (onHost?.refusal) throw onHost.refusal
    await listed
    logger.info(
      `${record.name}: ${formatBytes(record.bytes)}${record.chunks ? ` in ${record.chunks.length} chunks` : ''}, sha256 verified${encrypted ? ', decrypted, plaintext sha256 verified' : ''}${place.staging ? (extracting ? ', extracted and checked on the host' : ', staged on the host') : ''} in ${formatSeconds(Date.now() - began)}`
    )
    return part
  } catch (error) {
    await outlets.abandon()
    if (finding.damage === undefined) throw error
    transfer.damage.push(finding.damage)
    return part
  }
}

/** Reads the plaintext into every outlet at the pace of the slowest, counting it, and hashing it when asked. */
async function pump(plaintext: AsyncIterable<Uint8Array>, outlets: Fanout, progress: (bytes: number) => void, hashing: boolean): Promise<{ sha256: string; bytes: number }> {
  const hash = hashing ? createHash('sha256') : undefined
  let bytes = 0
  for await (const data of plaintext) {
    hash?.update(data)
    bytes += data.length
    progress(bytes)
    await outlets.write(data)
  }
  return { sha256: hash?.digest('hex') ?? '', bytes }
}

/**
 * The part's stored bytes, each piece checked before it is yielded: a chunk (or an unchunked part) is
 * downloaded whole to the runner and read once to compare its size and sha256 with the manifest, then read
 * again to stream on (hashing the whole part in order), and deleted. The next chunk is fetched and checked
 * while this one streams, when the runner has room for both, so the host never waits for a download. The
 * whole part's sha256 is compared at the end. A mismatch sets `finding.damage` and stops the source.
 */
async function* verifiedBytes(store: Store, backup: StoredBackup, record: PartRecord, runnerDir: string, finding: Finding): AsyncGenerator<Buffer> {
  const damaged = (message: string): Error => {
    finding.damage = message
    return new VerificationError(message)
  }
  const pieces = record.chunks ?? [{ file: record.file, bytes: record.bytes, sha256: record.sha256 }]
  // One for every check of the part: they run one after another (the next chunk's while this one streams).
  const checkBuffer = Buffer.allocUnsafeSlow(CHECK_READ_BYTES)
  const fetchChecked = async (piece: StoredPiece): Promise<string> => {
    const fetched = await store.fetch(backup, piece.file, runnerDir)
    try {
      const { sha256, bytes } = await hashFile(fetched, checkBuffer)
      if (sha256 !== piece.sha256 || bytes !== piece.bytes) throw damaged(`${piece.file}: expected ${piece.bytes} bytes with sha256 ${piece.sha256}, got ${bytes} bytes with ${sha256}`)
      return fetched
    } catch (error) {
      await rm(fetched, { force: true })
      throw error
    }
  }
  const whole = createHash('sha256')
  let wholeBytes = 0
  let ahead: Promise<string> | undefined
  try {
    for (const [index, piece] of pieces.entries()) {
      const current = ahead ?? ensureRoom(runnerDir, piece.bytes).then(() => fetchChecked(piece))
      ahead = undefined
      const fetched = await current
      try {
        const next = pieces[index + 1]
        if (next && (await freeBytes(runnerDir)) >= next.bytes) {
          ahead = fetchChecked(next)
          // Seen when it is awaited; until then a rejection must not count as unhandled.
          ahead.catch(() => undefined)
        }
        for await (const data of createReadStream(fetched, { highWaterMark: STREAM_READ_BYTES }) as AsyncIterable<Buffer>) {
          whole.update(data)
          wholeBytes += data.length
          deadBytesRead(data.length)
          yield data
        }
      } finally {
        await rm(fetched, { force: true })
      }
    }
  } finally {
    // A stream stopped early leaves the chunk fetched ahead: it goes too.
    if (ahead) await ahead.then(path => rm(path, { force: true })).catch(() => undefined)
  }
  const sha256 = whole.digest('hex')
  if (record.chunks && (sha256 !== record.sha256 || wholeBytes !== record.bytes)) {
    throw damaged(`${record.file}: expected ${record.bytes} bytes with sha256 ${record.sha256}, got ${wholeBytes} bytes with ${sha256}`)
  }
}

type StoredPiece = { file: string; bytes: number; sha256: string }

/**
 * Every buffer read from a chunk is garbage once it is consumed, and V8 frees such buffers only at its next GC,
 * which comes after a number of reads more than after a number of bytes: the dead buffers, not the data, set
 * the runner's peak RSS, and they reached their ceiling (up to 64 MB) only on larger chunks (measured: a
 * Tabby restore 107 MB at the default dataset, 123-148 MB at 4x). The checks read through one buffer per part,
 * reused (one per chunk would leave a dead 1 MiB per chunk, and a part has more chunks as data grows). The
 * streaming read reads 64 KiB at a time, each buffer counted by deadBytesRead, which collects them every 8
 * MiB. 16 KiB reads cost the runner's node more CPU (5.5-6.0 s per GB fanned out to two processes against
 * 2.3-4.4 s; a SeaTable restore 15.7 CPU s against 9.3) for no less memory: SeaTable's restore at 4 × the
 * data, two runs each, peaked at 103 and 119 MB against 97 and 105 MB at 1 × with 16 KiB reads, at 108
 * and 123 MB against 103 and 103 MB with 64 KiB (the longer run the higher, whatever the read size).
 */
const CHECK_READ_BYTES = 1024 * 1024
const STREAM_READ_BYTES = 64 * 1024

async function hashFile(path: string, buffer: Buffer): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  const file = await open(path, 'r')
  try {
    let bytes = 0
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) return { sha256: hash.digest('hex'), bytes }
      hash.update(buffer.subarray(0, bytesRead))
      bytes += bytesRead
    }
  } finally {
    await file.close()
  }
}

async function freeBytes(dir: string): Promise<number> {
  const space = await statfs(dir)
  return space.bavail * space.bsize
}

/**
 * Refuses a download that cannot fit before it starts, rather than after it has moved most of the bytes and
 * left a partial file; a size known from the signed manifest makes the check exact. The error reads as
 * ENOSPC, so it is reported like one.
 */
async function ensureRoom(dir: string, bytes: number): Promise<void> {
  const free = await freeBytes(dir)
  if (free < bytes) {
    throw Object.assign(new Error(`ENOSPC: ${formatBytes(bytes)} to download, ${formatBytes(free)} free in ${dir}`), { code: 'ENOSPC' })
  }
}

/**
 * Writes the part into the staging directory (a new file: noclobber) and answers the sha256 of what landed,
 * hashed on the host as it is written, so a transfer that lost or changed bytes cannot pass.
 */
async function stageOnHost(host: Transport, path: string, record: PartRecord, input: Readable): Promise<Landed> {
  const result = await host.run(script('set -o noclobber', `exec 3> ${quote(path)}`, 'tee /dev/fd/3 | sha256sum', 'exec 3>&-'), {
    stdin: input,
    description: `Staging ${record.name} on the host`
  })
  const answer = /^([0-9a-f]{64})\s/.exec(result.stdout)
  if (!answer) throw new VerificationError(`The host's sha256sum of the staged ${record.name} could not be read: ${JSON.stringify(result.stdout.slice(0, 200))}.`)
  return { sha256: answer[1] }
}

/**
 * Extracts the tarball into a new directory `tree` in the staging directory as it arrives, hashing the bytes as
 * they land, and examines the tree on disk (links that resolve outside, devices, set-id files, hard links to
 * outside): the same checks a swap's extraction makes, made before the host's live data is touched at all.
 */
async function extractOnHost(host: Transport, tree: string, record: PartRecord, input: Readable): Promise<Landed> {
  const spec = {
    enter: [`cd -- ${quote(posix.dirname(tree))}`, `mkdir -- ${quote(posix.basename(tree))}`],
    dest: posix.basename(tree),
    compression: record.compression,
    description: `Extracting ${record.name} on the host`,
    hashInput: true
  }
  const found = await extractTarConfined(host, spec, input)
  if (found.received === undefined || !/^[0-9a-f]{64}$/.test(found.received)) throw new VerificationError(`The host's sha256sum of the extracted ${record.name} could not be read.`)
  return { sha256: found.received, refusal: found.failure ?? unsafeTreeError(record.file, found) }
}

/** What the host received, hashed there, and why what it made of those bytes is refused (if it is). */
interface Landed {
  sha256: string
  refusal?: Error
}

/** A tarball with absolute paths, "..", links out of the target or device files never reaches the live data. */
async function listTarball(record: PartRecord, input: Readable): Promise<void> {
  try {
    await checkTarballEntries(new LocalTransport({ sudo: false }), input, record.compression)
  } catch (error) {
    throw new VerificationError(
      `${record.file} holds entries a restore must not write (${(error as Error).message}); nothing on the host was changed.`,
      'restore another backup (set backup-id), and find out how these entries got into the backup.'
    )
  }
}

function throwIfDamaged(backup: StoredBackup, damage: string[]): void {
  if (damage.length === 0) return
  throw new VerificationError(`The backup ${backup.backupId} is damaged; nothing on the host was changed:\n${damage.map(line => `  - ${line}`).join('\n')}`, 'restore another backup (set backup-id).')
}

async function serially<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  for (const item of items) results.push(await work(item))
  return results
}

type ChainLink = { backup: StoredBackup; record: PartRecord }

/** For each incremental part: the same part of every earlier backup of the chain, full backup first, each manifest verified. */
async function chainLinks(store: Store, manifest: Manifest, increments: PartRecord[], reading: ManifestReading, logger: Logger): Promise<Map<string, ChainLink[]>> {
  const chains = new Map<string, ChainLink[]>(increments.map(record => [record.name, []]))
  if (increments.length === 0) return chains
  const links = manifest.incremental?.chain ?? []
  logger.info(`${manifest.backupId} is incremental: fetching the ${links.length} backup${links.length > 1 ? 's' : ''} it builds on`)
  const listed = await store.list({ app: manifest.app, everywhere: true })
  for (const [level, linkId] of links.entries()) {
    const stored = listed.find(candidate => candidate.backupId === linkId)
    if (!stored) {
      throw new VerificationError(
        `${manifest.backupId} is incremental and builds on ${linkId}, which is not in the ${store.kind} store (expired or deleted); nothing on the host was changed.`,
        `restore a backup whose chain is complete (selfhost-backup list shows them)${store.traits.chainLinkHint}.`
      )
    }
    // Every link is a backup of its own: trusted only with its own valid signature.
    const linkManifest = await fetchManifest(store, stored, reading)
    for (const increment of increments) {
      const record = linkManifest.parts.find(candidate => candidate.name === increment.name)
      if (record?.incremental?.level !== level) {
        throw new VerificationError(
          `${linkId} has no level-${level} ${increment.name} tarball, which ${manifest.backupId} builds on; nothing on the host was changed.`,
          'the chain is inconsistent; restore another backup (set backup-id).'
        )
      }
      chains.get(increment.name)?.push({ backup: stored, record })
    }
  }
  return chains
}
