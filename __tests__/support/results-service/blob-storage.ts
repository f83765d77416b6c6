import { BlobSASPermissions, BlobServiceClient, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob'

// Azurite's published development account; not a secret.
const accountName = 'devstoreaccount1'
const accountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

export const artifactContainer = 'actions-results'
export const cacheContainer = 'actions-cache'

export interface DownloadHeaders {
  contentType?: string
  fileName?: string
}

export interface StoredBlob {
  /** `<container>/<blob name>`: unique across the service */
  name: string
  /** Last path segment of the blob name: the file name a client would see */
  path: string
  bytes: Buffer
}

/**
 * The emulator's view of Azurite: it signs SAS URLs the way the real service
 * hands them to clients, and reads or deletes blobs with the account key.
 */
export class BlobStorage {
  private readonly credential = new StorageSharedKeyCredential(accountName, accountKey)
  private readonly service: BlobServiceClient

  /**
   * `signedUrlOrigin` is where signed URLs send clients (the fault proxy);
   * the emulator's own reads and deletes go to Azurite directly, so an armed
   * blob fault never trips the emulator itself.
   */
  constructor(
    blobEndpoint: string,
    private readonly signedUrlOrigin = blobEndpoint
  ) {
    this.service = new BlobServiceClient(`${blobEndpoint}/${accountName}`, this.credential)
  }

  async createContainers(): Promise<void> {
    for (const container of [artifactContainer, cacheContainer]) {
      await this.service.getContainerClient(container).createIfNotExists()
    }
  }

  /** Create + write is what Put Block and Put Block List need. */
  uploadUrl(container: string, blobName: string, validForSeconds: number): string {
    return this.sign(container, blobName, 'cw', validForSeconds, {})
  }

  /**
   * Response-header overrides (rsct/rscd) are how the client learns that a
   * download is a raw file and what to call it; the blob itself stays as uploaded.
   */
  downloadUrl(container: string, blobName: string, validForSeconds: number, headers: DownloadHeaders = {}): string {
    return this.sign(container, blobName, 'r', validForSeconds, headers)
  }

  async exists(container: string, blobName: string): Promise<boolean> {
    return this.service.getContainerClient(container).getBlobClient(blobName).exists()
  }

  async size(container: string, blobName: string): Promise<number> {
    const properties = await this.service.getContainerClient(container).getBlobClient(blobName).getProperties()
    return properties.contentLength ?? 0
  }

  async delete(container: string, blobName: string): Promise<void> {
    await this.service.getContainerClient(container).getBlobClient(blobName).deleteIfExists()
  }

  async listAll(): Promise<StoredBlob[]> {
    const blobs: StoredBlob[] = []
    for await (const container of this.service.listContainers()) {
      const containerClient = this.service.getContainerClient(container.name)
      for await (const blob of containerClient.listBlobsFlat()) {
        const bytes = await containerClient.getBlobClient(blob.name).downloadToBuffer()
        const segments = blob.name.split('/')
        blobs.push({ name: `${container.name}/${blob.name}`, path: segments[segments.length - 1], bytes })
      }
    }
    return blobs
  }

  private sign(container: string, blobName: string, permissions: string, validForSeconds: number, headers: DownloadHeaders): string {
    const blobUrl = new URL(this.service.getContainerClient(container).getBlobClient(blobName).url)
    const origin = new URL(this.signedUrlOrigin)
    blobUrl.protocol = origin.protocol
    blobUrl.host = origin.host
    const query = generateBlobSASQueryParameters(
      {
        containerName: container,
        blobName,
        permissions: BlobSASPermissions.parse(permissions),
        // Back-dated so a clock that ticks between signing and use cannot reject it.
        startsOn: new Date(Date.now() - 60_000),
        expiresOn: new Date(Date.now() + validForSeconds * 1000),
        contentType: headers.contentType,
        contentDisposition: headers.fileName === undefined ? undefined : attachmentDisposition(headers.fileName)
      },
      this.credential
    )
    return `${blobUrl.href}?${query.toString()}`
  }
}

/** Both forms, as browsers and the artifact client prefer `filename*` for non-ASCII names. */
export function attachmentDisposition(fileName: string): string {
  const asciiFallback = fileName.replace(/[^\x20-\x7e]|["\\;]/g, '_')
  // RFC 5987 forbids these in the encoded value, but encodeURIComponent keeps them.
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${asciiFallback}"; filename*=UTF-8''${encoded}`
}
