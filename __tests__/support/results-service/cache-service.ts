import { cacheContainer } from './blob-storage.js'
import { TwirpError, field, integerField, requiredString, type JsonReply } from './http-helpers.js'
import type { TokenScope } from './runtime-token.js'
import { twirpDownloadUrlSeconds, uploadUrlSeconds, type ServiceContext } from './service-context.js'

type Handler = (context: ServiceContext, caller: TokenScope, body: unknown) => Promise<unknown>

const maxKeyLength = 512

function validKey(body: unknown, fieldName: string): string {
  const key = requiredString(body, fieldName)
  if (key.length > maxKeyLength || key.includes(',')) {
    throw new TwirpError('invalid_argument', `${fieldName} must be at most ${maxKeyLength} characters with no commas`)
  }
  return key
}

const handlers: Record<string, Handler> = {
  // Entries are immutable: a second reservation of the same key and version is
  // refused, which @actions/cache reports as "another job may be creating this cache".
  async CreateCacheEntry(context, _caller, body) {
    const key = validKey(body, 'key')
    const version = requiredString(body, 'version')
    if (context.state.cacheEntry(key, version)) {
      throw new TwirpError('already_exists', `cache entry ${key} already exists for this version`)
    }
    const entry = context.state.createCacheEntry(key, version)
    return { ok: true, signed_upload_url: context.storage.uploadUrl(cacheContainer, entry.blobName, uploadUrlSeconds) }
  },

  async FinalizeCacheEntryUpload(context, _caller, body) {
    const key = validKey(body, 'key')
    const version = requiredString(body, 'version')
    const entry = context.state.cacheEntry(key, version)
    if (!entry) throw new TwirpError('not_found', `cache entry ${key} was never created`)
    if (entry.finalized) throw new TwirpError('already_exists', `cache entry ${key} is already finalized`)
    if (!(await context.storage.exists(cacheContainer, entry.blobName))) {
      throw new TwirpError('failed_precondition', `nothing was uploaded for cache entry ${key}`)
    }
    entry.size = integerField(body, 'size_bytes') ?? (await context.storage.size(cacheContainer, entry.blobName))
    entry.finalized = true
    return { ok: true, entry_id: String(entry.id) }
  },

  // A miss is not an error in the protocol: the reply says ok: false.
  async GetCacheEntryDownloadURL(context, _caller, body) {
    const key = validKey(body, 'key')
    const version = requiredString(body, 'version')
    const restoreKeysValue = field(body, 'restore_keys') ?? []
    if (!Array.isArray(restoreKeysValue) || !restoreKeysValue.every(item => typeof item === 'string')) {
      throw new TwirpError('invalid_argument', 'restore_keys must be a list of strings')
    }
    const entry = context.state.matchCacheEntry(key, restoreKeysValue, version)
    if (!entry) return { ok: false, signed_download_url: '', matched_key: '' }
    return {
      ok: true,
      signed_download_url: context.storage.downloadUrl(cacheContainer, entry.blobName, twirpDownloadUrlSeconds),
      matched_key: entry.key
    }
  }
}

export async function handleCacheRpc(context: ServiceContext, method: string, caller: TokenScope, body: unknown): Promise<JsonReply> {
  const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined
  if (!handler) throw new TwirpError('bad_route', `CacheService has no method ${method}`)
  return { status: 200, body: await handler(context, caller, body) }
}
