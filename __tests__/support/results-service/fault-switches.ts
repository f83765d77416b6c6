import type { IncomingMessage, ServerResponse } from 'node:http'

/** The requests a fault can be aimed at: the Twirp RPCs, the blob traffic, the REST artifact endpoints and the run look-up. */
export const faultTargets = ['CreateArtifact', 'FinalizeArtifact', 'ListArtifacts', 'GetSignedArtifactURL', 'blob-upload', 'blob-download', 'rest-list', 'rest-download', 'rest-run'] as const
export type FaultTarget = (typeof faultTargets)[number]

/**
 * `drop` ends the connection without any response, as a crashed front end or a reset link would;
 * `cut-body` (blob downloads) answers 200 and ends the connection half-way through the body.
 */
export type FaultKind = 'http-500' | 'http-503' | 'drop' | 'cut-body'

export interface FaultSpec {
  target: FaultTarget
  kind: FaultKind
  /** A number fails only the first N matching requests (transient); `'always'` fails every one (persistent). */
  times: number | 'always'
  /** Lets this many matching requests through first, e.g. to fail only the manifest after the parts went up. */
  after?: number
}

interface ActiveFault extends FaultSpec {
  id: string
  toLetThrough: number
  remaining: number
}

export interface FaultSwitches {
  /** Arms a fault; returns its id for `remove`. */
  add(spec: FaultSpec): string
  remove(id: string): void
  /** Disarms every fault and zeroes the counters. */
  clear(): void
  /** How many requests each target has had failed by a fault since the last `clear`. */
  readonly hits: Record<FaultTarget, number>
  /** How many requests reached each target (failed or not) since the last `clear`. */
  readonly seen: Record<FaultTarget, number>
  /** Counts the request and says which fault, if any, it must suffer. */
  take(target: FaultTarget): FaultKind | undefined
}

const zeroCounters = (): Record<FaultTarget, number> => Object.fromEntries(faultTargets.map(target => [target, 0])) as Record<FaultTarget, number>

export function createFaultSwitches(): FaultSwitches {
  let faults: ActiveFault[] = []
  let nextId = 1
  const hits = zeroCounters()
  const seen = zeroCounters()
  return {
    hits,
    seen,
    add(spec) {
      if (!faultTargets.includes(spec.target)) throw new Error(`unknown fault target ${String(spec.target)}`)
      if (spec.times !== 'always' && !(Number.isInteger(spec.times) && spec.times > 0)) {
        throw new Error(`times must be a positive integer or 'always', got ${String(spec.times)}`)
      }
      const toLetThrough = spec.after ?? 0
      if (!(Number.isInteger(toLetThrough) && toLetThrough >= 0)) throw new Error(`after must be a whole number, got ${String(spec.after)}`)
      const id = `fault-${nextId++}`
      faults.push({ ...spec, id, toLetThrough, remaining: spec.times === 'always' ? Number.POSITIVE_INFINITY : spec.times })
      return id
    },
    remove(id) {
      faults = faults.filter(fault => fault.id !== id)
    },
    clear() {
      faults = []
      for (const target of faultTargets) {
        hits[target] = 0
        seen[target] = 0
      }
    },
    take(target) {
      seen[target]++
      // Oldest first, so two faults on one target fire in the order they were armed.
      const fault = faults.find(candidate => candidate.target === target && candidate.remaining > 0)
      if (!fault) return undefined
      if (fault.toLetThrough > 0) {
        fault.toLetThrough--
        return undefined
      }
      fault.remaining--
      hits[target]++
      return fault.kind
    }
  }
}

const twirpArtifactPrefix = '/twirp/github.actions.results.api.v1.ArtifactService/'
const twirpTargets: readonly string[] = ['CreateArtifact', 'FinalizeArtifact', 'ListArtifacts', 'GetSignedArtifactURL']

/** A test's own checks send this so they neither trip nor use up a fault armed for the client under test. */
export const faultBypassHeader = 'x-emulator-fault-bypass'

/** Which target a request to the results service or REST API is, if any. */
export function resultsServiceTarget(method: string, pathname: string, apiPrefix: string): FaultTarget | undefined {
  if (pathname.startsWith(twirpArtifactPrefix)) {
    const rpc = pathname.slice(twirpArtifactPrefix.length)
    return twirpTargets.includes(rpc) ? (rpc as FaultTarget) : undefined
  }
  if (method !== 'GET' || !pathname.startsWith(`${apiPrefix}/repos/`)) return undefined
  if (/\/actions\/(runs\/\d+\/)?artifacts$/.test(pathname)) return 'rest-list'
  if (/\/actions\/artifacts\/\d+\/zip$/.test(pathname)) return 'rest-download'
  if (/\/actions\/runs\/\d+$/.test(pathname)) return 'rest-run'
  return undefined
}

/**
 * Answers a request with the fault instead of the real reply. The body is read
 * first: destroying the socket while the client still writes gives it EPIPE,
 * which some clients retry and others do not, so the outcome would depend on
 * timing. Reading it makes every drop look the same: the request went out, no
 * answer came back (the client sees ECONNRESET, "socket hang up").
 */
export async function injectFault(kind: FaultKind, request: IncomingMessage, response: ServerResponse, style: 'twirp' | 'rest' | 'blob'): Promise<void> {
  for await (const chunk of request) void chunk
  if (kind === 'drop') {
    request.socket.destroy()
    return
  }
  const status = kind === 'http-500' ? 500 : 503
  const message = `injected fault: HTTP ${status}`
  const body = style === 'twirp' ? { code: kind === 'http-500' ? 'internal' : 'unavailable', msg: message } : style === 'rest' ? { message, status: String(status) } : undefined
  const payload = body === undefined ? `<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>${message}</Message></Error>` : JSON.stringify(body)
  response.writeHead(status, {
    'content-type': body === undefined ? 'application/xml' : 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload))
  })
  response.end(payload)
}
