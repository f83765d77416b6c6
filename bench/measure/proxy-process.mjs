/**
 * A TCP proxy on a free loopback port in front of the test sshd that counts the bytes in each
 * direction. Runs as its own process (forked by byte-proxy.ts) so that relaying hundreds of
 * megabytes never stalls the benchmark's event loop, which samples memory and disk meanwhile.
 *
 *   node proxy-process.mjs <target port>    (IPC: {type:'read'} → {type:'counts', up, down, connections})
 */
import net from 'node:net'

const targetPort = Number(process.argv[2])
if (!Number.isInteger(targetPort) || targetPort <= 0) {
  console.error('usage: proxy-process.mjs <target port>')
  process.exit(2)
}
let up = 0
let down = 0
let connections = 0

const server = net.createServer(client => {
  connections++
  const upstream = net.connect({ host: '127.0.0.1', port: targetPort })
  client.on('data', chunk => (up += chunk.length))
  upstream.on('data', chunk => (down += chunk.length))
  client.pipe(upstream)
  upstream.pipe(client)
  const close = () => {
    client.destroy()
    upstream.destroy()
  }
  client.on('error', close)
  upstream.on('error', close)
  client.on('close', close)
  upstream.on('close', close)
})

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: server.address().port })
})

process.on('message', message => {
  if (message?.type === 'read') process.send?.({ type: 'counts', up, down, connections })
})
process.on('disconnect', () => process.exit(0))
