/**
 * Sits between the S3 client and the real server and, when armed, answers chosen requests with a 503,
 * drops their connection, or cuts a download off half-way. Everything else is forwarded byte for byte,
 * the Host header included: SigV4 signs it, so the server checks the signature the client really made.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sendHalfThenCut } from './cut-body.js'

export type S3FaultKind = 'http-503' | 'drop' | 'cut-body'

export interface S3Fault {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD'
  /** The fault applies to request paths that contain this (a key, or part of one). */
  pathIncludes: string
  kind: S3FaultKind
  times: number | 'always'
}

export interface S3FaultProxy {
  endpoint: string
  arm(fault: S3Fault): void
  clear(): void
  /** Requests that met an armed fault. */
  hits: number
  stop(): Promise<void>
}

const SERVICE_UNAVAILABLE = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>Injected by the test proxy</Message></Error>'

export async function startS3FaultProxy(upstreamEndpoint: string): Promise<S3FaultProxy> {
  const upstream = new URL(upstreamEndpoint)
  let faults: (S3Fault & { left: number })[] = []
  const proxy = { hits: 0 }

  const take = (request: IncomingMessage): S3Fault | undefined => {
    const fault = faults.find(candidate => candidate.method === request.method && (request.url ?? '').includes(candidate.pathIncludes) && candidate.left > 0)
    if (!fault) return undefined
    fault.left -= 1
    proxy.hits += 1
    return fault
  }

  const forward = (request: IncomingMessage, response: ServerResponse, cutBody: boolean): void => {
    const outgoing = httpRequest({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers }, answer => {
      response.writeHead(answer.statusCode ?? 502, answer.headers)
      if (cutBody) sendHalfThenCut(answer, response)
      else answer.pipe(response)
    })
    outgoing.on('error', () => response.socket?.destroy())
    request.pipe(outgoing)
  }

  const server: Server = createServer((request, response) => {
    const fault = take(request)
    if (fault?.kind === 'drop') {
      request.socket.destroy()
      return
    }
    if (fault?.kind === 'http-503') {
      // Read the request through first, as a real server's front end would before answering.
      request.resume()
      request.on('end', () => {
        response.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(SERVICE_UNAVAILABLE) })
        response.end(SERVICE_UNAVAILABLE)
      })
      return
    }
    forward(request, response, fault?.kind === 'cut-body')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arm: fault => faults.push({ ...fault, left: fault.times === 'always' ? Number.POSITIVE_INFINITY : fault.times }),
    clear: () => {
      faults = []
    },
    get hits() {
      return proxy.hits
    },
    set hits(value: number) {
      proxy.hits = value
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
