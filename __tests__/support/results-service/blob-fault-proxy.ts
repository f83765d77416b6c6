import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sendHalfThenCut } from '../cut-body.js'
import { injectFault, type FaultSwitches, type FaultTarget } from './fault-switches.js'

export interface BlobFaultProxy {
  /** Origin the signed URLs point at, e.g. http://127.0.0.1:41235 */
  origin: string
  /** Uploads (PUTs) open at this moment, and the most ever open at once: what a client keeps in flight. */
  uploads: { open: number; mostOpen: number }
  stop(): Promise<void>
}

/** Uploads are Put Block / Put Block List; downloads are plain GETs. HEAD and the rest are never faulted. */
function blobTarget(method: string | undefined): FaultTarget | undefined {
  if (method === 'PUT') return 'blob-upload'
  if (method === 'GET') return 'blob-download'
  return undefined
}

/**
 * Clients reach blob storage directly through signed URLs, so the results
 * service never sees that traffic. The emulator signs its URLs with this
 * proxy's origin instead of Azurite's; the proxy forwards byte for byte to
 * Azurite unless a blob fault is armed. The SAS signature covers the account,
 * container and blob path but not the host, so a changed origin still verifies.
 */
export async function startBlobFaultProxy(azuriteEndpoint: string, faults: FaultSwitches): Promise<BlobFaultProxy> {
  const upstream = new URL(azuriteEndpoint)
  const uploads = { open: 0, mostOpen: 0 }
  const server: Server = createServer((request, response) => {
    const target = blobTarget(request.method)
    if (target === 'blob-upload') {
      uploads.mostOpen = Math.max(uploads.mostOpen, ++uploads.open)
      response.once('close', () => uploads.open--)
    }
    const fault = target === undefined ? undefined : faults.take(target)
    if (fault !== undefined && fault !== 'cut-body') {
      injectFault(fault, request, response, 'blob').catch(() => request.socket.destroy())
      return
    }
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host }
      },
      upstreamResponse => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers)
        if (fault === 'cut-body') sendHalfThenCut(upstreamResponse, response)
        else upstreamResponse.pipe(response)
      }
    )
    // Azurite going away mid-request must look like a dropped connection to the client, not hang it.
    forwarded.on('error', () => request.socket.destroy())
    request.pipe(forwarded)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    uploads,
    async stop() {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
