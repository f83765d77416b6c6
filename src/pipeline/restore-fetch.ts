import { createHash } from 'node:crypto'
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
import { Fanout } from './fanout.js'
import { verifiedBytes, type Finding } from './verified-bytes.js'
import { fetchManifest, type ManifestReading } from './verification.js'

export interface FetchSelection {
  /** Restore only these parts; empty: all. */
  only: string[]
  identities: string[]
}

/**
 * Where the verified bytes go: a private staging directory on the host (see host-incoming.ts), or nowhere
 * for a dry run, which proves the backup without writing anything on either machine (a backup made before
 * block hashes: one stored chunk at a time on the runner).
 */
export interface FetchPlace {
  /** The runner directory a stored file of a backup without block hashes lands in while it is checked. */
  runnerDir: string
  staging: { host: Transport; dir: string } | null
  /** Called with each part once it is staged and verified whole (an incremental one with its chain), while the next streams. */
  onStaged?: (part: VerifiedPart) => void
}

/**
 * Streams the parts of a backup whose manifest already verified (and, for incremental tarballs, the same
 * part of every backup of the chain, each manifest verified too) through the runner into the host's
 * staging directory, proving them on the way: each block's sha256 before its bytes go on, the whole part's
 * sha256, the plaintext checksum after decryption, the tar listing (no unsafe entries) beside the transfer,
 * and the sha256 of the file as it landed on the host. The runner holds two blocks in memory and nothing on
 * its disk (a backup made before block hashes: one stored chunk at a time, see verified-bytes.ts). Nothing live
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
  const stored = verifiedBytes({ store: transfer.store, backup, runnerDir: place.runnerDir, logger }, record, finding)
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
