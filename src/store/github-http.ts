import type { Logger } from '../kernel/log.js'

export interface RetryPolicy {
  attempts: number
  /** The first pause; each further one doubles. */
  baseMs: number
}
/** Whole store operations: an upload (again under a fresh name), a listing of this run, a download: 2 s and 4 s pauses. */
export const CLIENT_RETRY: RetryPolicy = { attempts: 3, baseMs: 2000 }
/** Single requests: REST calls, the artifact service's calls and blob blocks: 1, 2 and 4 s pauses. */
export const REST_RETRY: RetryPolicy = { attempts: 4, baseMs: 1000 }

/** How the artifact store retries: the defaults above, or a faster policy a test injects. */
export interface RetryPolicies {
  client: RetryPolicy
  rest: RetryPolicy
}
export const DEFAULT_RETRY: RetryPolicies = { client: CLIENT_RETRY, rest: REST_RETRY }

/**
 * Dropped connections (or a request marked `transient`: no answer came), and 5xx or 429 answers; a 4xx
 * (bad token, missing artifact, duplicate name) is final.
 */
export function isTransient(error: unknown): boolean {
  if ((error as { transient?: unknown }).transient === true) return true
  const status = (error as { status?: number }).status
  if (typeof status === 'number') return status >= 500 || status === 429
  const message = error instanceof Error ? error.message : String(error)
  return /ECONNRESET|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH|EPIPE|other side closed|socket hang up|fetch failed|Unable to make request/i.test(message)
}

const sleep = (milliseconds: number): Promise<void> => new Promise(resolve => setTimeout(resolve, milliseconds))

/**
 * Listing, downloading, looking up, a block and a fresh upload are safe to repeat, so a few more
 * attempts with backoff turn a network blip into a delay: single requests with the `rest` policy, whole
 * store operations around them with the `client` one. `work` learns which attempt it is (an upload renames its retries);
 * `retryable` narrows what is tried again (a call that must not be repeated under the same name).
 */
export async function withRetry<T>(logger: Logger, what: string, policy: RetryPolicy, work: (attempt: number) => Promise<T>, retryable: (error: unknown) => boolean = isTransient): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt)
    } catch (error) {
      if (attempt >= policy.attempts || !retryable(error)) throw error
      const delay = policy.baseMs * 2 ** (attempt - 1)
      logger.warning(`${what} failed (${(error as Error).message.split('\n')[0]}); retrying in ${delay / 1000} s (attempt ${attempt + 1} of ${policy.attempts}).`)
      await sleep(delay)
    }
  }
}

/** One REST call; a 5xx or 429 reply becomes an error with its status, which withRetry counts as transient. */
async function restCall(method: 'GET' | 'DELETE', url: string, token: string, redirect: RequestRedirect = 'follow'): Promise<Response> {
  const response = await fetch(url, { method, redirect, headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' } })
  if (response.status < 500 && response.status !== 429) return response
  await response.body?.cancel()
  throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status })
}

export const restGet = (url: string, token: string): Promise<Response> => restCall('GET', url, token)
/** A GET whose redirect is the answer (an artifact's download address), not followed. */
export const restGetRedirect = (url: string, token: string): Promise<Response> => restCall('GET', url, token, 'manual')
export const restDelete = (url: string, token: string): Promise<Response> => restCall('DELETE', url, token)
