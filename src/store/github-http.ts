import type { Logger } from '../kernel/log.js'
import { exchange, HttpFailure, PARSED_ANSWER_BYTES } from './http-exchange.js'

export interface RetryPolicy {
  attempts: number
  /** The first pause; each further one doubles. */
  baseMs: number
}
/** Whole store operations: an upload (again under a fresh name), a listing of this run, a download: 2 s and 4 s pauses. */
export const OPERATION_RETRY: RetryPolicy = { attempts: 3, baseMs: 2000 }
/** Single requests: REST calls, the artifact service's calls and blob blocks: 1, 2 and 4 s pauses. */
export const REQUEST_RETRY: RetryPolicy = { attempts: 4, baseMs: 1000 }

/** How the artifact store retries: the defaults above, or a faster policy a test injects. */
export interface RetryPolicies {
  /** A whole store operation: an upload, a listing of this run, a download. */
  operation: RetryPolicy
  /** One HTTP request within an operation. */
  request: RetryPolicy
}
export const DEFAULT_RETRY: RetryPolicies = { operation: OPERATION_RETRY, request: REQUEST_RETRY }

/**
 * Dropped connections (or a request marked `transient`: no answer came), and 5xx or 429 answers; a 4xx
 * (bad token, missing artifact, duplicate name) is final.
 */
export function isTransient(error: unknown): boolean {
  if ((error as { transient?: unknown }).transient === true) return true
  const status = (error as { status?: number }).status
  if (typeof status === 'number') return status >= 500 || status === 429
  const message = error instanceof Error ? error.message : String(error)
  return /ECONNRESET|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH|EPIPE|socket hang up/i.test(message)
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

/**
 * What a REST call answered: its status, where a redirect points, and its JSON. A listing page of 100
 * artifacts is a few hundred KiB; an answer past `PARSED_ANSWER_BYTES` is refused rather than cut.
 */
export interface RestAnswer {
  status: number
  ok: boolean
  location?: string
  json<T>(): T
}

/** Redirects followed (the API moves a renamed repository's addresses), and only within its own origin: the token goes nowhere else. */
const REST_REDIRECTS = 5

/** One REST call; a 5xx or 429 reply becomes an error with its status, which withRetry counts as transient. */
async function restCall(method: 'GET' | 'DELETE', address: string, token: string, follow = true): Promise<RestAnswer> {
  let url = new URL(address)
  for (let hop = 0; ; hop++) {
    const answer = await exchange(`${method} ${url.pathname}`, url, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'selfhost-backup' },
      answerBytes: PARSED_ANSWER_BYTES
    })
    const location = typeof answer.headers.location === 'string' ? answer.headers.location : undefined
    const next = location !== undefined ? new URL(location, url) : undefined
    if (follow && method === 'GET' && next && [301, 302, 307, 308].includes(answer.status) && next.origin === url.origin && hop < REST_REDIRECTS) {
      url = next
      continue
    }
    if (answer.cut) throw new HttpFailure(`${method} ${url.pathname}: the answer is larger than ${PARSED_ANSWER_BYTES / 1024 / 1024} MiB`, 502)
    return {
      status: answer.status,
      ok: answer.status >= 200 && answer.status < 300,
      location,
      json: <T>(): T => {
        try {
          return JSON.parse(answer.text) as T
        } catch {
          throw new HttpFailure(`${method} ${url.pathname}: HTTP ${answer.status} with an answer that is not JSON`, 502)
        }
      }
    }
  }
}

export const restGet = (url: string, token: string): Promise<RestAnswer> => restCall('GET', url, token)
/** A GET whose redirect is the answer (an artifact's download address), not followed. */
export const restGetRedirect = (url: string, token: string): Promise<RestAnswer> => restCall('GET', url, token, false)
export const restDelete = (url: string, token: string): Promise<RestAnswer> => restCall('DELETE', url, token)
