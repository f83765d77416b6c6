import { createHash, randomUUID } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import type { Logger } from '../kernel/log.js'
import type { ArtifactServiceClient } from './artifact-service.js'
import { exchange, HttpFailure } from './http-exchange.js'
import { withRetry, type RetryPolicy } from './github-http.js'

/** What an upload holds in memory: at most `blocksInFlight` buffers of `blockBytes`, whatever the file's size. */
export interface UploadLimits {
  blockBytes: number
  blocksInFlight: number
}

/**
 * 4 MiB blocks, four on the way: 16 MiB of buffers. The artifact client reads a file through two 8 MiB
 * stream buffers into five 8 MiB blocks (measured: 56 MB of buffers at a Tabby backup's peak, 162 MB
 * of RSS against the 150 MB target), and has no setting for either.
 */
export const UPLOAD_LIMITS: UploadLimits = { blockBytes: 4 * 1024 * 1024, blocksInFlight: 4 }

export interface UploadedArtifact {
  id: string
  bytes: number
}

/** The storage REST version the blocks are written with; any version since 2019 has Put Block and Put Block List. */
const STORAGE_API_VERSION = '2024-11-04'
/** Blob storage takes at most 50,000 blocks per blob: a file larger than that many blocks gets larger blocks. */
const MAX_BLOCKS = 50_000
/** Characters the artifact service refuses in a name (as the artifact client checks before its upload). */
const FORBIDDEN_NAME_CHARACTERS = /[":<>|*?\r\n\\/]/

/**
 * The buffers of finished uploads, kept for the next one: uploads come one after another, and a buffer
 * of this size lives outside V8's young generation, so a fresh set per upload would wait for a full
 * collection (and the allocator would keep the freed pages).
 */
const sparePool = new Map<number, Uint8Array<ArrayBuffer>[]>()

/**
 * Uploads one file as a single-file artifact (what the artifact client's `skipArchive` upload makes:
 * the service's CreateArtifact, the blob's Put Block and Put Block List, then FinalizeArtifact with the
 * size and sha256), reading it block by block into a fixed set of buffers, so memory stays flat at any size.
 * A dropped answer of CreateArtifact or FinalizeArtifact is not retried here: the name may be taken by
 * then, and the caller retries the whole upload under a fresh name.
 */
export async function uploadArtifactFile(
  service: ArtifactServiceClient,
  file: { path: string; name: string; expiresAt?: string },
  logger: Logger,
  limits: UploadLimits = UPLOAD_LIMITS
): Promise<UploadedArtifact> {
  if (FORBIDDEN_NAME_CHARACTERS.test(file.name)) throw new Error(`The artifact name ${JSON.stringify(file.name)} has a character the artifact service refuses.`)
  const contentType = file.name.endsWith('.json') ? 'application/json' : 'application/octet-stream'
  const created = await service.call('CreateArtifact', { name: file.name, mime_type: contentType, version: 7, ...(file.expiresAt ? { expires_at: file.expiresAt } : {}) }, 'write')
  const uploadUrl = created.signed_upload_url
  if (created.ok !== true || typeof uploadUrl !== 'string') throw new Error('CreateArtifact: the artifact service did not hand out an upload address.')
  const { bytes, sha256 } = await uploadBlocks(new URL(uploadUrl), file.path, contentType, logger, limits, service.retry)
  const finalized = await service.call('FinalizeArtifact', { name: file.name, size: String(bytes), hash: `sha256:${sha256}` }, 'write')
  if (finalized.ok !== true || typeof finalized.artifact_id !== 'string' || !/^\d+$/.test(finalized.artifact_id)) {
    throw new Error('FinalizeArtifact: the artifact service did not confirm the artifact.')
  }
  return { id: finalized.artifact_id, bytes }
}

/**
 * The file's blocks, read in order (so the sha256 is taken on the way) into at most `blocksInFlight`
 * reusable buffers; a buffer is read into again only once its block is stored. Then the block list commits the blob.
 */
async function uploadBlocks(uploadUrl: URL, path: string, contentType: string, logger: Logger, limits: UploadLimits, retry: RetryPolicy): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256')
  // Every id of a blob must have the same length: a per-upload prefix and a six-digit block number.
  const prefix = randomUUID()
  const blockIds: string[] = []
  const inFlight = new Set<Promise<void>>()
  let failure: unknown
  let bytes = 0
  const handle: FileHandle = await open(path, 'r')
  let buffers: { blockBytes: number; free: Uint8Array<ArrayBuffer>[] } | undefined
  try {
    buffers = buffersFor((await handle.stat()).size, limits)
    const { free } = buffers
    for (;;) {
      while (free.length === 0 && failure === undefined) await Promise.race(inFlight)
      if (failure !== undefined) break
      const buffer = free.pop() as Uint8Array<ArrayBuffer>
      const read = await readFully(handle, buffer, bytes)
      if (read === 0) {
        free.push(buffer)
        break
      }
      const block = buffer.subarray(0, read)
      hash.update(block)
      const id = Buffer.from(`${prefix}-${String(blockIds.length).padStart(6, '0')}`).toString('base64')
      blockIds.push(id)
      bytes += read
      const put = putBlock(uploadUrl, id, block, logger, retry).then(
        () => {
          free.push(buffer)
        },
        (error: unknown) => {
          failure ??= error
        }
      )
      const tracked = put.finally(() => inFlight.delete(tracked))
      inFlight.add(tracked)
    }
    await Promise.all(inFlight)
  } finally {
    await handle.close()
    // A buffer of a failed block may still be referenced by its request: only those returned are kept.
    if (buffers?.blockBytes === limits.blockBytes) sparePool.set(buffers.blockBytes, [...(sparePool.get(buffers.blockBytes) ?? []), ...buffers.free].slice(0, limits.blocksInFlight))
  }
  if (failure !== undefined) throw failure
  await putBlockList(uploadUrl, blockIds, contentType, logger, retry)
  return { bytes, sha256: hash.digest('hex') }
}

/**
 * No more buffers, and none larger, than the file needs (a manifest of a few KB takes one of its size);
 * full-size ones come from the pool of earlier uploads.
 */
function buffersFor(size: number, limits: UploadLimits): { blockBytes: number; free: Uint8Array<ArrayBuffer>[] } {
  const blockBytes = Math.max(1, Math.min(limits.blockBytes, size), Math.ceil(size / MAX_BLOCKS))
  const count = Math.max(1, Math.min(limits.blocksInFlight, Math.ceil(size / blockBytes)))
  const spare = blockBytes === limits.blockBytes ? (sparePool.get(blockBytes) ?? []) : []
  const free = spare.splice(0, count)
  while (free.length < count) free.push(new Uint8Array(blockBytes))
  return { blockBytes, free }
}

/** Fills `buffer` from `position` unless the file ends first; returns how much was read. */
async function readFully(handle: FileHandle, buffer: Uint8Array, position: number): Promise<number> {
  let filled = 0
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return filled
}

function blobUrl(uploadUrl: URL, query: Record<string, string>): URL {
  const url = new URL(uploadUrl)
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value)
  return url
}

const storageCode = (text: string): string => {
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1]
  return code ? ` (${code})` : ''
}

/** One block, sent straight from its buffer (node:http writes it as it is; fetch would copy each block first). */
async function putBlock(uploadUrl: URL, id: string, block: Uint8Array, logger: Logger, retry: RetryPolicy): Promise<void> {
  await withRetry(logger, 'Storing a block of the artifact', retry, async () => {
    const answer = await exchange('Put Block', blobUrl(uploadUrl, { comp: 'block', blockid: id }), {
      method: 'PUT',
      headers: { 'x-ms-version': STORAGE_API_VERSION, 'Content-Length': String(block.length) },
      body: block
    })
    if (answer.status !== 201) throw new HttpFailure(`Put Block: blob storage answered HTTP ${answer.status}${storageCode(answer.text)}`, answer.status)
  })
}

async function putBlockList(uploadUrl: URL, blockIds: string[], contentType: string, logger: Logger, retry: RetryPolicy): Promise<void> {
  const body = `<?xml version="1.0" encoding="utf-8"?><BlockList>${blockIds.map(id => `<Latest>${id}</Latest>`).join('')}</BlockList>`
  await withRetry(logger, 'Committing the blocks of the artifact', retry, async () => {
    const answer = await exchange('Put Block List', blobUrl(uploadUrl, { comp: 'blocklist' }), {
      method: 'PUT',
      headers: { 'x-ms-version': STORAGE_API_VERSION, 'x-ms-blob-content-type': contentType, 'Content-Type': 'application/xml', 'Content-Length': String(Buffer.byteLength(body)) },
      body
    })
    if (answer.status !== 201) throw new HttpFailure(`Put Block List: blob storage answered HTTP ${answer.status}${storageCode(answer.text)}`, answer.status)
  })
}
