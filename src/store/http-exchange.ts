import { createWriteStream } from 'node:fs'
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { deadBytesRead } from '../kernel/dead-buffers.js'

/**
 * The HTTP the `github` store speaks (GitHub's REST API, the artifact service, blob storage), on
 * `node:http`: `fetch` loads undici, whose parser is WebAssembly that V8 compiles on start and again in
 * the background, which cost the action about 20 MB of its peak (a restore from artifacts peaked at 116
 * MB against 92 MB from the local store; 20 fetches in an otherwise idle process: 43 MB, then 86 MB).
 */

/** A request that has not finished after this long is abandoned (and retried, as a dropped connection). */
const REQUEST_TIMEOUT_MS = 300_000
/** A download that receives nothing for this long is abandoned (as the artifact client's 30 s). */
const DOWNLOAD_IDLE_MS = 30_000
/** How much of an answer is kept by default: blob storage's answers (an error code at most) are small. */
const DEFAULT_ANSWER_BYTES = 65_536
/**
 * The most of an answer that is parsed whole: a REST page (100 artifacts, a few hundred KiB) or the
 * artifact service's listing of a run (about 370 bytes per artifact; a job may upload 500 and a run has
 * many jobs). Its caller refuses a longer answer rather than parse it cut.
 */
export const PARSED_ANSWER_BYTES = 16 * 1024 * 1024

/**
 * A failed request: `status` for an answer (withRetry tries a 5xx or 429 again, a 4xx is final),
 * `transient` for a connection that failed or timed out before an answer came.
 */
export class HttpFailure extends Error {
  readonly transient: boolean
  constructor(
    message: string,
    readonly status?: number
  ) {
    super(message)
    this.transient = status === undefined
  }
}

export interface Answer {
  status: number
  headers: IncomingHttpHeaders
  /** The answer's text, up to `answerBytes`. */
  text: string
  /** The answer was longer than `answerBytes`: `text` is its beginning only. */
  cut: boolean
}

function startRequest(url: URL, options: RequestOptions, answered: (response: IncomingMessage) => void): ClientRequest {
  return (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, answered)
}

/**
 * One HTTP request with a time limit: its status, headers and up to `answerBytes` of its answer. A 5xx
 * or 429 is thrown with its status, a connection lost before the whole answer came as `transient`. No
 * message holds the URL (an upload or download address carries its signature).
 */
export function exchange(what: string, url: URL, init: { method: string; headers: Record<string, string>; body?: string | Uint8Array; answerBytes?: number }): Promise<Answer> {
  const limit = init.answerBytes ?? DEFAULT_ANSWER_BYTES
  return new Promise((resolve, reject) => {
    const request = startRequest(url, { method: init.method, headers: init.headers, timeout: REQUEST_TIMEOUT_MS }, response => {
      const pieces: Buffer[] = []
      let kept = 0
      let cut = false
      response.on('data', (piece: Buffer) => {
        const room = limit - kept
        if (piece.length > room) cut = true
        if (room <= 0) return
        const taken = piece.length > room ? piece.subarray(0, room) : piece
        pieces.push(taken)
        kept += taken.length
      })
      response.on('end', () => {
        const status = response.statusCode ?? 0
        if (status >= 500 || status === 429) reject(new HttpFailure(`${what}: HTTP ${status}`, status))
        else resolve({ status, headers: response.headers, text: Buffer.concat(pieces).toString('utf8'), cut })
      })
      response.on('error', error => reject(new HttpFailure(`${what}: the connection failed while the answer came (${error.message})`)))
      response.on('aborted', () => reject(new HttpFailure(`${what}: the connection failed while the answer came`)))
    })
    request.on('timeout', () => request.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)))
    request.on('error', error => reject(new HttpFailure(`${what}: the connection failed (${(error as NodeJS.ErrnoException).code ?? error.message})`)))
    request.end(init.body)
  })
}

/**
 * Reads a signed blob address into `path` (created or emptied, mode 600) as the bytes come: the name
 * is the caller's, never the one the answer suggests, and nothing is unpacked (a stored part is a raw
 * file; anything else fails the checks that follow). Not retried here: an address expires, so the
 * caller asks for a fresh one each attempt.
 */
export async function downloadTo(url: URL, path: string): Promise<void> {
  const body = await openDownload(url, 0)
  const written = pipeline(body, createWriteStream(path, { mode: 0o600 }))
  // Counted after the pipe is set up, so this listener never starts the flow the pipe paces.
  body.on('data', (piece: Buffer) => deadBytesRead(piece.length))
  try {
    await written
  } catch (error) {
    // The runner's own disk (ENOSPC, EACCES: the error names its path) is not the network: no retry helps.
    const failure = error as NodeJS.ErrnoException
    throw failure.path !== undefined ? failure : new HttpFailure(`The download broke off (${failure.code ?? failure.message})`)
  }
}

/**
 * Opens a signed blob address for reading from byte `offset` (a range request) and answers the body as a
 * stream, at the pace of its reader: the socket's idle limit counts only while the reader wants more. A
 * server that ignores the range and sends the whole blob has its first `offset` bytes skipped here.
 * Failures before the body starts are HttpFailures; a connection lost later is an error on the stream.
 */
export function openDownload(url: URL, offset: number): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {}
    let answer: IncomingMessage | undefined
    const request = startRequest(url, { method: 'GET', headers, timeout: DOWNLOAD_IDLE_MS }, response => {
      const status = response.statusCode ?? 0
      if (status !== 200 && status !== 206) {
        response.resume()
        reject(new HttpFailure(`Blob storage answered HTTP ${status}`, status))
        return
      }
      answer = response
      const body = status === 200 && offset > 0 ? response.pipe(skipping(offset)) : response
      if (body !== response) response.on('error', error => body.destroy(error))
      response.on('aborted', () => body.destroy(new Error('the download broke off')))
      resolve(body)
    })
    request.on('timeout', () => {
      // Idle because the reader is the slow side (its buffer is full) is no network failure.
      if (answer && answer.readableLength >= answer.readableHighWaterMark) return
      request.destroy(new Error(`nothing came for ${DOWNLOAD_IDLE_MS / 1000} s`))
    })
    request.on('error', error => {
      if (answer) answer.destroy(error)
      else reject(new HttpFailure(`The download failed (${(error as NodeJS.ErrnoException).code ?? error.message})`))
    })
    request.end()
  })
}

/** Drops the first `count` bytes of a stream. */
function skipping(count: number): Transform {
  let left = count
  return new Transform({
    transform(data: Buffer, _encoding, done) {
      if (left >= data.length) {
        left -= data.length
        done()
        return
      }
      const rest = data.subarray(left)
      left = 0
      done(null, rest)
    }
  })
}
