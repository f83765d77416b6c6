import type { IncomingMessage, ServerResponse } from 'node:http'

const maxBodyBytes = 1024 * 1024

export interface JsonReply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** Twirp error codes the emulator uses, with the HTTP status Twirp maps each to. */
const twirpStatus = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  internal: 500
} as const

export type TwirpCode = keyof typeof twirpStatus

/**
 * Thrown by handlers; the router turns it into Twirp's JSON error body. The
 * clients JSON-parse every reply and retry on a parse failure, so even errors
 * must be JSON or a 4xx would turn into five slow attempts.
 */
export class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    message: string
  ) {
    super(message)
    this.name = 'TwirpError'
  }

  reply(): JsonReply {
    return { status: twirpStatus[this.code], body: { code: this.code, msg: this.message } }
  }
}

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of request) {
    const buffer = chunk as Buffer
    length += buffer.length
    if (length > maxBodyBytes) throw new TwirpError('malformed', `request body exceeds ${maxBodyBytes} bytes`)
    chunks.push(buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new TwirpError('malformed', 'request body is not valid JSON')
  }
}

export function sendReply(response: ServerResponse, reply: JsonReply): void {
  const headers: Record<string, string> = { ...reply.headers }
  let payload = ''
  if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body)
    headers['content-type'] = 'application/json; charset=utf-8'
  }
  headers['content-length'] = String(Buffer.byteLength(payload))
  response.writeHead(reply.status, headers)
  response.end(payload)
}

/**
 * Twirp JSON carries proto field names (`workflow_run_backend_id`), but the
 * protobuf JSON spec lets readers accept lowerCamelCase too; accepting both
 * keeps the emulator tolerant of either client style.
 */
export function field(body: unknown, protoName: string): unknown {
  if (typeof body !== 'object' || body === null) return undefined
  const record = body as Record<string, unknown>
  if (protoName in record) return record[protoName]
  const camel = protoName.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase())
  return record[camel]
}

export function stringField(body: unknown, protoName: string): string | undefined {
  const value = field(body, protoName)
  return typeof value === 'string' ? value : undefined
}

export function requiredString(body: unknown, protoName: string): string {
  const value = stringField(body, protoName)
  if (value === undefined || value === '') throw new TwirpError('invalid_argument', `${protoName} is required`)
  return value
}

/** int64 arrives as a JSON string (protobuf JSON) or, from lenient writers, a number. */
export function integerField(body: unknown, protoName: string): number | undefined {
  const value = field(body, protoName)
  if (value === undefined || value === null) return undefined
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(parsed)) throw new TwirpError('invalid_argument', `${protoName} must be an integer`)
  return parsed
}

/** Bearer (Twirp, REST) or the older `token` scheme that Octokit sends. */
export function credentialFrom(request: IncomingMessage, schemes: string[]): string | undefined {
  const header = request.headers.authorization
  if (typeof header !== 'string') return undefined
  const match = /^(\S+)\s+(\S+)$/.exec(header.trim())
  if (!match || !schemes.includes(match[1].toLowerCase())) return undefined
  return match[2]
}
