import { createServer } from 'node:net'

/**
 * Asks the OS for a loopback port that is free right now. Another process can
 * still take it before the caller binds, so prefer letting a server listen on
 * port 0 itself when it can report the port it got.
 */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        server.close()
        reject(new Error('The OS did not report a TCP port for a loopback listener.'))
        return
      }
      server.close(() => resolve(address.port))
    })
  })
}
