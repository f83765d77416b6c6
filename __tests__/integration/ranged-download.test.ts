/**
 * openDownload (the `github` store's streamed read of a blob address) against HTTP servers on 127.0.0.1
 * that answer a range request as blob storage does (206), ignore it (200 with the whole blob), refuse it,
 * or drop the connection mid-body: the reader gets exactly the bytes from the offset, or an error.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HttpFailure, openDownload } from '../../src/store/http-exchange.js'

const blob = randomBytes(300_000)
let server: Server
let base: string
const rangesAsked: (string | undefined)[] = []

beforeAll(async () => {
  server = createServer((request, response) => {
    rangesAsked.push(request.headers.range)
    const from = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0)
    if (request.url === '/ranged') {
      response.writeHead(from > 0 ? 206 : 200, { 'Content-Length': blob.length - from })
      response.end(blob.subarray(from))
    } else if (request.url === '/whole') {
      response.writeHead(200, { 'Content-Length': blob.length })
      response.end(blob)
    } else if (request.url === '/refused') {
      response.writeHead(403)
      response.end('signature expired')
    } else {
      // Promises the whole blob, sends a third of it, and drops the connection.
      response.writeHead(200, { 'Content-Length': blob.length })
      response.write(blob.subarray(0, 100_000), () => response.socket?.destroy())
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
})

const read = async (path: string, offset: number): Promise<Buffer> => Buffer.concat(await (await openDownload(new URL(`${base}${path}`), offset)).toArray())

it.each([0, 1, 123_457, blob.length - 1])('reads a blob from byte %d with a range request answered 206', async offset => {
  rangesAsked.length = 0
  expect((await read('/ranged', offset)).equals(blob.subarray(offset))).toBe(true)
  expect(rangesAsked).toEqual([offset > 0 ? `bytes=${offset}-` : undefined])
})

it('skips the bytes before the offset itself when the server ignores the range and sends the whole blob', async () => {
  expect((await read('/whole', 123_457)).equals(blob.subarray(123_457))).toBe(true)
})

it("fails with the server's status, before any byte, when the address is refused", async () => {
  const refused = openDownload(new URL(`${base}/refused`), 0)
  await expect(refused).rejects.toBeInstanceOf(HttpFailure)
  await expect(refused).rejects.toMatchObject({ status: 403, message: 'Blob storage answered HTTP 403' })
})

it('fails on the stream when the connection drops mid-body, after the bytes that came', async () => {
  const stream = await openDownload(new URL(`${base}/dropped`), 0)
  const received: Buffer[] = []
  await expect(
    (async () => {
      for await (const piece of stream as AsyncIterable<Buffer>) received.push(piece)
    })()
  ).rejects.toThrow()
  expect(Buffer.concat(received).equals(blob.subarray(0, Buffer.concat(received).length))).toBe(true)
  expect(Buffer.concat(received).length).toBeLessThanOrEqual(100_000)
})
