import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { VerifiedPart } from '../recipes/recipe.js'
import type { Store, StoredBackup } from '../store/store.js'
import { LocalTransport } from '../transport/local.js'
import { checkTarballEntries } from '../sources/tar-check.js'
import { sha256File } from '../kernel/checksum.js'
import { decryptFile } from '../kernel/encryption.js'
import { InputError, VerificationError } from '../kernel/errors.js'
import { formatBytes, type Logger } from '../kernel/log.js'
import { isIncrementPart, type Manifest, type PartRecord } from '../kernel/manifest.js'
import { fetchManifest, type ManifestReading } from './verification.js'

export interface FetchSelection {
  /** Restore only these parts; empty: all. */
  only: string[]
  identities: string[]
}

/**
 * Downloads the parts of a backup whose manifest already verified (and, for incremental tarballs, the
 * same part of every backup of the chain, each manifest verified too) and proves them: sha256 of every
 * file, the plaintext checksum after decryption, no unsafe tar entries. Nothing reaches the host before
 * all of that passed.
 */
export async function fetchVerifiedParts(
  store: Store,
  backup: StoredBackup,
  manifest: Manifest,
  selection: FetchSelection,
  dir: string,
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
  const mismatches: string[] = []
  const parts = await fetchChecked(store, backup, selected, dir, mismatches, logger)
  const chains = await fetchChains(store, manifest, selected.filter(isIncrementPart), { dir, reading }, mismatches, logger)
  if (mismatches.length > 0) {
    throw new VerificationError(
      `The backup ${backup.backupId} is damaged; nothing on the host was changed:\n${mismatches.map(line => `  - ${line}`).join('\n')}`,
      'restore another backup (set backup-id).'
    )
  }
  const plain: VerifiedPart[] = []
  for (const part of parts) {
    const chain = chains.get(part.record.name)
    plain.push({ ...(await decryptPart(part, identities, logger)), ...(chain ? { chain: await Promise.all(chain.map(link => decryptPart(link, identities, logger))) } : {}) })
  }
  await refuseUnsafeTarballs(plain.flatMap(part => [...(part.chain ?? []), part]))
  return plain
}

async function fetchChecked(store: Store, backup: StoredBackup, records: PartRecord[], dir: string, mismatches: string[], logger: Logger): Promise<VerifiedPart[]> {
  const parts: VerifiedPart[] = []
  for (const record of records) {
    const before = mismatches.length
    const { path, ...actual } = record.chunks ? await fetchChunks(store, backup, record, dir, mismatches) : await fetchWhole(store, backup, record, dir)
    if (actual.sha256 !== record.sha256 || actual.bytes !== record.bytes) {
      mismatches.push(`${record.file}: expected ${record.bytes} bytes with sha256 ${record.sha256}, got ${actual.bytes} bytes with ${actual.sha256}`)
    } else if (mismatches.length === before) {
      logger.info(`${record.name}: ${formatBytes(record.bytes)}${record.chunks ? ` in ${record.chunks.length} chunks` : ''}, sha256 verified`)
    }
    parts.push({ record, path })
  }
  return parts
}

type FetchedPart = { path: string; sha256: string; bytes: number }

/** A part stored as one file: fetched, then hashed. */
async function fetchWhole(store: Store, backup: StoredBackup, record: PartRecord, dir: string): Promise<FetchedPart> {
  const path = await store.fetch(backup, record.file, dir)
  return { path, ...(await sha256File(path)) }
}

/**
 * A chunked part: each chunk is fetched, checked against its own size and sha256 (so a missing, damaged
 * or reordered chunk is named), appended to the part's file and deleted. The whole part is hashed in the
 * same pass, so the assembled file is not read again.
 */
async function fetchChunks(store: Store, backup: StoredBackup, record: PartRecord, dir: string, mismatches: string[]): Promise<FetchedPart> {
  const path = join(dir, record.file)
  const whole = await open(path, 'wx', 0o600)
  const wholeHash = createHash('sha256')
  let wholeBytes = 0
  try {
    for (const chunk of record.chunks ?? []) {
      const fetched = await store.fetch(backup, chunk.file, dir)
      const hash = createHash('sha256')
      let bytes = 0
      for await (const data of createReadStream(fetched) as AsyncIterable<Buffer>) {
        hash.update(data)
        wholeHash.update(data)
        bytes += data.length
        await whole.write(data)
      }
      await rm(fetched, { force: true })
      wholeBytes += bytes
      const sha256 = hash.digest('hex')
      if (sha256 !== chunk.sha256 || bytes !== chunk.bytes) mismatches.push(`${chunk.file}: expected ${chunk.bytes} bytes with sha256 ${chunk.sha256}, got ${bytes} bytes with ${sha256}`)
    }
  } finally {
    await whole.close()
  }
  return { path, sha256: wholeHash.digest('hex'), bytes: wholeBytes }
}

/** For each incremental part: the same part of every earlier backup of the chain, full backup first. */
async function fetchChains(
  store: Store,
  manifest: Manifest,
  increments: PartRecord[],
  place: { dir: string; reading: ManifestReading },
  mismatches: string[],
  logger: Logger
): Promise<Map<string, VerifiedPart[]>> {
  const { dir } = place
  const chains = new Map<string, VerifiedPart[]>(increments.map(record => [record.name, []]))
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
    const linkManifest = await fetchManifest(store, stored, place.reading)
    const records: PartRecord[] = []
    for (const increment of increments) {
      const record = linkManifest.parts.find(candidate => candidate.name === increment.name)
      if (record?.incremental?.level !== level) {
        throw new VerificationError(
          `${linkId} has no level-${level} ${increment.name} tarball, which ${manifest.backupId} builds on; nothing on the host was changed.`,
          'the chain is inconsistent; restore another backup (set backup-id).'
        )
      }
      records.push(record)
    }
    for (const part of await fetchChecked(store, stored, records, dir, mismatches, logger)) chains.get(part.record.name)?.push(part)
  }
  return chains
}

/** A tarball with absolute paths, "..", links out of the target or device files never reaches the host. */
async function refuseUnsafeTarballs(parts: VerifiedPart[]): Promise<void> {
  const runner = new LocalTransport({ sudo: false })
  for (const part of parts.filter(candidate => candidate.record.kind === 'tar')) {
    try {
      await checkTarballEntries(runner, part.path, part.record.compression)
    } catch (error) {
      throw new VerificationError(
        `${part.record.file} holds entries a restore must not write (${(error as Error).message}); nothing on the host was changed.`,
        'restore another backup (set backup-id), and find out how these entries got into the backup.'
      )
    }
  }
}

/** An encrypted part is decrypted on the runner and its plaintext checksum verified, still before the host is touched. */
async function decryptPart(part: VerifiedPart, identities: string[], logger: Logger): Promise<VerifiedPart> {
  if (part.record.encryption !== 'age') return part
  const plainPath = part.path.replace(/\.age$/, '')
  const plain = await decryptFile(identities, part.path, plainPath)
  await rm(part.path, { force: true })
  if (plain.sha256 !== part.record.plaintext?.sha256 || plain.bytes !== part.record.plaintext?.bytes) {
    throw new VerificationError(`${part.record.file} decrypts to content that does not match the manifest; nothing on the host was changed.`, 'restore another backup (set backup-id).')
  }
  logger.info(`${part.record.name}: decrypted, plaintext sha256 verified`)
  return { record: part.record, path: plainPath }
}
