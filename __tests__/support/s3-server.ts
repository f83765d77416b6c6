/**
 * A real S3 server for the tests: Ceph's RADOS Gateway from Debian (radosgw 16), the one server from
 * the registries this machine reaches that implements Object Lock, versioning and SigV4 checks. It
 * needs a tiny cluster: one monitor and one RAM-backed OSD (memstore), no manager, everything on
 * 127.0.0.1, authentication between the daemons off, S3 authentication on. Starts in about a second.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
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

/** Starts the gateway with one S3 user; `stop` ends every daemon it started (by pid) and removes its directory. */
export async function startS3Server(): Promise<S3Server> {
  const dir = await mkdtemp(join(tmpdir(), `${RGW_TEMP_DIR_PREFIX}${process.pid}-`))
  for (const sub of ['run', 'log', 'mon', 'osd0']) await mkdir(join(dir, sub), { recursive: true })
  const ports = { s3: await findFreePort(), mon: await findFreePort(), mon2: await findFreePort() }
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
    daemon('ceph-mon', ['-i', 'a'])
    const osdUuid = randomUUID()
    for (;;) {
      try {
        await run('ceph', ['-c', conf, '--connect-timeout', '5', 'osd', 'new', osdUuid])
        break
      } catch (error) {
        if (Date.now() - began > START_TIMEOUT_MS) throw error
        await sleep(50)
      }
    }
    await run('ceph-osd', ['-c', conf, '-i', '0', '--mkfs', '--osd-uuid', osdUuid])
    daemon('ceph-osd', ['-i', '0'])
    const gateway = daemon('radosgw', ['-n', 'client.rgw.test'])
    while (!(await canConnect(ports.s3))) {
      if (gateway.exitCode !== null) throw new Error(`radosgw exited: ${errors}`)
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
