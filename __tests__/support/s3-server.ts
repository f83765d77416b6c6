/**
 * A real S3 server for the tests: Ceph's RADOS Gateway from Debian (radosgw 16), the one server from
 * the registries this machine reaches that implements Object Lock, versioning and SigV4 checks. It
 * needs a tiny cluster: one monitor and one RAM-backed OSD (memstore), no manager, everything on
 * 127.0.0.1, authentication between the daemons off, S3 authentication on. Starts in about a second.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { findFreePort } from './free-port.js'

const run = promisify(execFile)
const sleep = (milliseconds: number): Promise<void> => new Promise(resolve => setTimeout(resolve, milliseconds))

/** Kept in step with global-teardown.ts by hand: a crashed test's daemons are found by this prefix. */
export const RGW_TEMP_DIR_PREFIX = 'selfhost-backup-rgw-'
const START_TIMEOUT_MS = 60_000

export interface S3Server {
  endpoint: string
  region: string
  credentials: { accessKeyId: string; secretAccessKey: string }
  pids: number[]
  stop(): Promise<void>
}

/** Why a daemon did not come up, from its log's tail; a port someone else took is a PortTakenError. */
async function startFailure(name: string, logFile: string, stderr: string, cause: unknown): Promise<Error> {
  const log = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n')
  const text = `${name} did not come up (${(cause as Error).message.split('\n')[0]}); its log ends:\n${log}\n${stderr}`
  return /Address already in use|bind unable|failed to bind/i.test(log + stderr) ? new PortTakenError(text) : new Error(text)
}

function canConnect(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}

function configuration(dir: string, fsid: string, ports: { s3: number; mon: number; mon2: number }): string {
  return `[global]
fsid = ${fsid}
mon host = [v2:127.0.0.1:${ports.mon2},v1:127.0.0.1:${ports.mon}]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
public network = 127.0.0.0/8
cluster network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
# With cephx off the messengers must not ask for "secure" mode, or radosgw fails to authenticate (-13).
ms mon client mode = crc
ms mon service mode = crc
ms mon cluster mode = crc
ms client mode = crc
ms service mode = crc
ms cluster mode = crc
# A one-monitor cluster need not wait a second per map change: start-up falls from ~12 s to ~1 s.
paxos propose interval = 0.01
paxos min wait = 0.001
mon data avail warn = 1
# A monitor shuts itself down when its disk has less than 5 % free; the test's cluster lives in RAM and
# /tmp, and a CI machine's disk may well be that full.
mon data avail crit = 0
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd objectstore = memstore
memstore device bytes = ${1024 ** 3}
osd crush chooseleaf type = 0
osd max object name len = 460
osd max object namespace len = 64
osd data = ${dir}/osd$id
mon data = ${dir}/mon/$id
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
keyring = ${dir}/keyring
[client.rgw.test]
rgw frontends = beast endpoint=127.0.0.1:${ports.s3}
rgw dns name = 127.0.0.1
`
}

/** Three different free ports: two calls in a row may get the same one back from the OS. */
async function distinctFreePorts(): Promise<{ s3: number; mon: number; mon2: number }> {
  const found = new Set<number>()
  while (found.size < 3) found.add(await findFreePort())
  const [s3, mon, mon2] = [...found]
  return { s3, mon, mon2 }
}

/** A daemon that could not bind its port (another process took it between findFreePort and the bind). */
class PortTakenError extends Error {}

/**
 * Starts the gateway with one S3 user; `stop` ends every daemon it started (by pid) and removes its
 * directory. A free port taken by someone else before a daemon binds it is the one failure that a start
 * on other ports cures: that is tried twice more, and said.
 */
export async function startS3Server(): Promise<S3Server> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce()
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= 3) throw error
      process.stderr.write(`startS3Server: ${error.message}; starting again on other ports\n`)
    }
  }
}

async function startOnce(): Promise<S3Server> {
  const dir = await mkdtemp(join(tmpdir(), `${RGW_TEMP_DIR_PREFIX}${process.pid}-`))
  for (const sub of ['run', 'log', 'mon', 'osd0']) await mkdir(join(dir, sub), { recursive: true })
  const ports = await distinctFreePorts()
  const fsid = randomUUID()
  const conf = join(dir, 'ceph.conf')
  await writeFile(conf, configuration(dir, fsid, ports))
  const daemons: ChildProcess[] = []
  let errors = ''
  const daemon = (command: string, args: string[]): ChildProcess => {
    const child = spawn(command, ['-c', conf, ...args, '-f'], { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)))
    daemons.push(child)
    return child
  }
  const stop = async (): Promise<void> => {
    // The cluster's state is thrown away (memstore), so nothing needs a clean shutdown.
    for (const child of [...daemons].reverse()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await Promise.all(daemons.map(child => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise(resolve => child.once('exit', resolve)))))
    await rm(dir, { recursive: true, force: true })
  }
  const began = Date.now()
  let credentials = { accessKeyId: '', secretAccessKey: '' }
  try {
    await run('ceph-authtool', ['--create-keyring', join(dir, 'keyring'), '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *'])
    await run('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${ports.mon2},v1:127.0.0.1:${ports.mon}]`, join(dir, 'monmap')])
    await run('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap'), '--keyring', join(dir, 'keyring')])
    const monitor = daemon('ceph-mon', ['-i', 'a'])
    const osdUuid = randomUUID()
    for (;;) {
      try {
        await run('ceph', ['-c', conf, '--connect-timeout', '5', 'osd', 'new', osdUuid])
        break
      } catch (error) {
        // A monitor that died will not answer: say why (its log), at once, instead of timing out.
        const failure = await startFailure('ceph-mon', join(dir, 'log', 'mon.a.log'), errors, error)
        // A monitor that could not bind one of its addresses may live on, probing forever: its log says so.
        if (failure instanceof PortTakenError || monitor.exitCode !== null || monitor.signalCode !== null || Date.now() - began > START_TIMEOUT_MS) throw failure
        await sleep(50)
      }
    }
    await run('ceph-osd', ['-c', conf, '-i', '0', '--mkfs', '--osd-uuid', osdUuid])
    daemon('ceph-osd', ['-i', '0'])
    const gateway = daemon('radosgw', ['-n', 'client.rgw.test'])
    while (!(await canConnect(ports.s3))) {
      if (gateway.exitCode !== null) throw await startFailure('radosgw', join(dir, 'log', 'client.rgw.test.log'), errors, new Error('radosgw exited'))
      if (Date.now() - began > START_TIMEOUT_MS) throw new Error(`radosgw did not listen within ${START_TIMEOUT_MS} ms: ${errors}`)
      await sleep(25)
    }
    // The gateway generates the keys: the secret is never on a command line, even the test bed's.
    const created = await run('radosgw-admin', ['-c', conf, 'user', 'create', '--uid', 'test', '--display-name', 'test', '--gen-access-key', '--gen-secret'])
    const [key] = (JSON.parse(created.stdout) as { keys: { access_key: string; secret_key: string }[] }).keys
    credentials = { accessKeyId: key.access_key, secretAccessKey: key.secret_key }
    await writeFile(join(dir, 'daemons.pid'), daemons.map(child => child.pid).join('\n'))
  } catch (error) {
    await stop()
    throw error
  }
  return { endpoint: `http://127.0.0.1:${ports.s3}`, region: 'us-east-1', credentials, pids: daemons.map(child => child.pid ?? 0), stop }
}
