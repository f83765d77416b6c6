/**
 * The administrator's side of the manual procedure and of the floor: plain `ssh` and `rsync -e ssh`
 * through the byte-counting proxy, with the test host's key and a known_hosts line for the proxy's
 * port (strict checking, as the action does). Every call is a fresh connection, as typed by hand.
 */
import { spawn } from 'node:child_process'
import { createReadStream, createWriteStream } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { join } from 'node:path'
import { isolatedSshOptions, knownHostsLine, type TestHost } from '../../__tests__/support/sshd.js'

export interface SpawnOptions {
  /** A file fed to stdin, or several one after another (a part stored in chunks). */
  stdinPath?: string | string[]
  /** Text fed to stdin (before stdinPath, when both are given). */
  input?: string
  /** A file stdout is written to; otherwise stdout is collected and returned. */
  stdoutPath?: string
  description: string
}

export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`

/** Runs a local program; rejects with the end of its stderr when it exits non-zero. */
export function spawnChecked(file: string, args: string[], options: SpawnOptions): Promise<string> {
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  const written = options.stdoutPath ? pipeline(child.stdout, createWriteStream(options.stdoutPath)) : Promise.resolve()
  if (!options.stdoutPath) child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)))
  child.stdin.on('error', () => undefined)
  if (options.stdinPath) {
    if (options.input !== undefined) child.stdin.write(options.input)
    const paths = [options.stdinPath].flat()
    Readable.from(
      (async function* () {
        for (const path of paths) yield* createReadStream(path)
      })()
    ).pipe(child.stdin)
  } else child.stdin.end(options.input ?? '')
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', code => resolve(code ?? 1))
  })
  return Promise.all([exited, written]).then(([code]) => {
    if (code !== 0) throw new Error(`${options.description} failed (exit ${code}): ${stderr.trim()}`)
    return stdout
  })
}

export interface SshClient {
  /** user@127.0.0.1 */
  destination: string
  /** Runs `script` (bash, pipefail) on the host as the login user. */
  run(script: string, options?: Omit<SpawnOptions, 'description'> & { description?: string }): Promise<string>
  /** rsync with `-e` set to this client's ssh; remote paths are written `${destination}:path`. */
  rsync(args: string[], description: string): Promise<void>
}

export async function createSshClient(directory: string, host: TestHost, port: number): Promise<SshClient> {
  const keyPath = join(directory, 'client_key')
  const knownHostsPath = join(directory, 'known_hosts')
  await writeFile(keyPath, host.clientPrivateKey, { mode: 0o600 })
  await writeFile(knownHostsPath, `${proxyKnownHosts(host, port)}\n`, { mode: 0o600 })
  const options = isolatedSshOptions(keyPath, knownHostsPath, port)
  const destination = `${host.user}@127.0.0.1`
  return {
    destination,
    run: (script, runOptions = {}) =>
      spawnChecked('ssh', [...options, '-T', destination, `bash -o pipefail -c ${shellQuote(script)}`], { description: runOptions.description ?? `ssh: ${script.slice(0, 80)}`, ...runOptions }),
    rsync: async (args, description) => {
      await spawnChecked('rsync', ['-e', ['ssh', ...options].join(' '), ...args], { description })
    }
  }
}

/** The host's known_hosts line rewritten for the proxy's port: same key, the address ssh will look up. */
export function proxyKnownHosts(host: TestHost, port: number): string {
  const [, keyType, keyData] = host.knownHosts.trim().split(/\s+/)
  return knownHostsLine(port, `${keyType} ${keyData}`)
}
