/**
 * The REST calls of the `github` store (src/store/github-http.ts) against a real HTTP server on
 * 127.0.0.1: redirects followed only within the API's own origin (the token goes nowhere else), a
 * download address read from a redirect without following it, answers too large refused, 5xx and 429
 * retried, a 4xx final, and none of it through `fetch`, whose WebAssembly parser cost the action about
 * 20 MB of its peak memory.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isTransient, restDelete, restGet, restGetRedirect, withRetry } from '../../src/store/github-http.js'
import { recordingLogger } from '../support/transport-probes.js'

type Handler = (request: IncomingMessage, response: ServerResponse) => void

interface TestServer {
  origin: string
  seen: { method: string; url: string; authorization?: string }[]
  handle: (handler: Handler) => void
  close: () => Promise<void>
}

async function startServer(): Promise<TestServer> {
  let handler: Handler = (_request, response) => response.writeHead(404).end()
  const seen: TestServer['seen'] = []
  const server: Server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization })
    handler(request, response)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    handle: next => (handler = next),
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
}

const TOKEN = 'ghs_rest-test-token'
let api: TestServer
let elsewhere: TestServer
const realFetch = globalThis.fetch

beforeAll(async () => {
  api = await startServer()
  elsewhere = await startServer()
  // Any use of fetch fails the test that made it.
  globalThis.fetch = (() => {
    throw new Error('fetch was called')
  }) as typeof fetch
})
afterAll(async () => {
  globalThis.fetch = realFetch
  await api?.close()
  await elsewhere?.close()
})
beforeEach(() => {
  api.seen.length = 0
  elsewhere.seen.length = 0
})

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_request, response) => {
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body))
  }

test('a GET answers the JSON, sent with the token and the API version', async () => {
  api.handle(json(200, { total_count: 1, artifacts: [{ id: 7, name: 'ü-name' }] }))
  const answer = await restGet(`${api.origin}/repos/o/r/actions/artifacts?per_page=100`, TOKEN)
  expect(answer.ok).toBe(true)
  expect(answer.json<{ artifacts: { name: string }[] }>().artifacts[0].name).toBe('ü-name')
  expect(api.seen).toEqual([{ method: 'GET', url: '/repos/o/r/actions/artifacts?per_page=100', authorization: `Bearer ${TOKEN}` }])
})

test('a redirect within the API is followed with the token', async () => {
  api.handle((request, response) => {
    if (request.url === '/repos/old/name/actions/runs/5') response.writeHead(301, { Location: '/repositories/42/actions/runs/5' }).end()
    else json(200, { id: 5 })(request, response)
  })
  const answer = await restGet(`${api.origin}/repos/old/name/actions/runs/5`, TOKEN)
  expect(answer.json<{ id: number }>().id).toBe(5)
  expect(api.seen.map(request => [request.url, request.authorization])).toEqual([
    ['/repos/old/name/actions/runs/5', `Bearer ${TOKEN}`],
    ['/repositories/42/actions/runs/5', `Bearer ${TOKEN}`]
  ])
})

test('a redirect to another origin is not followed: the token never reaches it', async () => {
  api.handle((_request, response) => response.writeHead(302, { Location: `${elsewhere.origin}/steal` }).end())
  const answer = await restGet(`${api.origin}/repos/o/r/actions/runs/5`, TOKEN)
  expect(answer.status).toBe(302)
  expect(answer.ok).toBe(false)
  expect(elsewhere.seen).toEqual([])
})

test('redirects in a loop stop after a few hops', async () => {
  api.handle((_request, response) => response.writeHead(301, { Location: '/loop' }).end())
  const answer = await restGet(`${api.origin}/loop`, TOKEN)
  expect(answer.status).toBe(301)
  expect(api.seen.length).toBe(6)
})

test("a download address is read from the redirect, not followed (it is blob storage's, and signed)", async () => {
  api.handle((_request, response) => response.writeHead(302, { Location: `${elsewhere.origin}/blob?sig=secret` }).end())
  const answer = await restGetRedirect(`${api.origin}/repos/o/r/actions/artifacts/9/zip`, TOKEN)
  expect(answer.status).toBe(302)
  expect(answer.location).toBe(`${elsewhere.origin}/blob?sig=secret`)
  expect(elsewhere.seen).toEqual([])
})

test('an answer larger than 16 MiB is refused, not cut and parsed', async () => {
  const big = Buffer.alloc(17 * 1024 * 1024, 0x20)
  api.handle((_request, response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(big))
  await expect(restGet(`${api.origin}/big`, TOKEN)).rejects.toMatchObject({ status: 502, message: expect.stringContaining('larger than 16 MiB') })
})

test('an answer that is not JSON says so when read', async () => {
  api.handle((_request, response) => response.writeHead(200).end('<html>'))
  const answer = await restGet(`${api.origin}/html`, TOKEN)
  expect(() => answer.json()).toThrow(/not JSON/)
})

test('5xx and 429 are retried, a dropped connection too; a 4xx is final', async () => {
  const logger = recordingLogger()
  const { lines } = logger
  let calls = 0
  api.handle((request, response) => {
    calls++
    if (calls === 1) response.writeHead(503).end()
    else if (calls === 2) response.writeHead(429).end()
    else if (calls === 3) request.socket.destroy()
    else response.writeHead(204).end()
  })
  const answer = await withRetry(logger, 'Deleting x', { attempts: 4, baseMs: 1 }, () => restDelete(`${api.origin}/repos/o/r/actions/artifacts/3`, TOKEN))
  expect(answer.status).toBe(204)
  expect(calls).toBe(4)
  expect(lines.filter(line => line.includes('retrying')).length).toBe(3)

  calls = 0
  api.handle((_request, response) => {
    calls++
    response.writeHead(404).end()
  })
  const missing = await withRetry(logger, 'Looking up', { attempts: 4, baseMs: 1 }, () => restGet(`${api.origin}/missing`, TOKEN))
  expect(missing.status).toBe(404)
  expect(calls).toBe(1)
})

test('a server that is not there is a transient failure that names no address', async () => {
  const gone = await startServer()
  await gone.close()
  const error = await restGet(`${gone.origin}/x?token=in-url`, TOKEN).catch((caught: unknown) => caught)
  expect(isTransient(error)).toBe(true)
  expect((error as Error).message).toMatch(/^GET \/x: the connection failed \(ECONNREFUSED\)$/)
  expect((error as Error).message).not.toContain('in-url')
})
