import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * A fault proxy's download cut off mid-stream: the upstream answer's headers and the first half of its
 * body reach the client, then the connection is gone. The cut comes once what was written has left, so the
 * client really has that half (destroying the socket at once would discard it unsent, and the client would
 * see a connection reset before any answer).
 */
export function sendHalfThenCut(answer: IncomingMessage, response: ServerResponse): void {
  const half = Math.max(1, Math.floor(Number(answer.headers['content-length'] ?? 0) / 2))
  let sent = 0
  answer.on('data', (chunk: Buffer) => {
    if (sent >= half) return
    const last = sent + chunk.length >= half
    response.write(chunk.subarray(0, half - sent), () => {
      if (!last) return
      answer.destroy()
      response.socket?.destroy()
    })
    sent += chunk.length
  })
}
