/**
 * A test host whose PATH is ONE directory of symlinks we control, both in ssh sessions and under
 * sudo, so a test can make a tool truly missing (`command -v` finds nothing) instead of shadowing it
 * with a stub that `command -v` would still find.
 *
 * startTestHost's pathPrefix only prepends to the system PATH, so it cannot take a tool away. Here
 * the host starts without its own sudoers drop-in (sudo: false) and with SetEnv PATH=<bin dir>
 * (setEnv wins over pathPrefix in sshd.ts); this file then installs the drop-in itself, with that
 * same dir as secure_path. The drop-in carries sshd.ts's name prefix and the creating pid, so
 * global-teardown sweeps it if a test dies before stop().
 *
 * The bin dir links every executable of the system PATH rather than a hand-kept list of the tools
 * the product uses: a list would drift as the product gains commands, and a tool missing by
 * accident would make a case fail for the wrong reason.
 */
import { chmod, mkdtemp, readdir, readFile, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { isolatedSshOptions, runCommand, startTestHost, SUDOERS_FILE_PREFIX, type TestHost } from './sshd.js'

const SYSTEM_DIRECTORIES = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']

export interface CuratedPathHost {
  host: TestHost
  /** The only directory on the PATH of the login user and of sudo. */
  binDir: string
  /** Removes `name` and its versioned aliases (python3 also hides python3.11) from the PATH. */
  hide(...names: string[]): Promise<void>
  /** Puts every hidden tool back. */
  showAll(): Promise<void>
  /** Where `command -v` finds `name` in an ssh session under sudo, as the product looks; '' when missing. */
  lookUpUnderSudo(name: string): Promise<string>
  stop(): Promise<void>
}

async function isExecutableFile(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => null) // follows symlinks: /usr/bin/python3 → python3.11
  return info !== null && info.isFile() && (info.mode & 0o111) !== 0
}

/** name → absolute path, first directory wins, as a PATH lookup would. */
export async function systemExecutables(): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  for (const directory of SYSTEM_DIRECTORIES) {
    for (const name of await readdir(directory).catch(() => [] as string[])) {
      if (found.has(name)) continue
      const file = path.join(directory, name)
      if (await isExecutableFile(file)) found.set(name, file)
    }
  }
  return found
}

async function installSudoersDropIn(user: string, port: number, binDir: string, scratch: string): Promise<string> {
  const draft = path.join(scratch, 'sudoers')
  await writeFile(draft, `Defaults:${user} secure_path="${binDir}"\n${user} ALL=(ALL:ALL) NOPASSWD: ALL\n`, { mode: 0o440 })
  const check = await runCommand('visudo', ['-cf', draft])
  if (check.code !== 0) throw new Error(`visudo rejected the curated-PATH drop-in: ${check.stderr.trim()}`)
  const final = path.join('/etc/sudoers.d', `${SUDOERS_FILE_PREFIX}${user}-${process.pid}-${port}`)
  const partial = `${final}.partial` // sudo skips names with a dot, so a half-written file is never read
  await writeFile(partial, await readFile(draft), { mode: 0o440 })
  await chmod(partial, 0o440)
  await rename(partial, final)
  return final
}

/** `user` must be one no other live test host uses: sudoers' secure_path is per user. */
export async function startCuratedPathHost(user: string, setEnv: Record<string, string> = {}): Promise<CuratedPathHost> {
  const binDir = await mkdtemp(path.join(os.tmpdir(), 'sb-curated-bin-'))
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'sb-curated-sudoers-'))
  let host: TestHost | undefined
  let dropIn: string | undefined
  const executables = await systemExecutables()
  const hidden = new Set<string>()
  const cleanUp = async (): Promise<void> => {
    if (dropIn !== undefined) await rm(dropIn, { force: true })
    await host?.stop()
    await rm(binDir, { recursive: true, force: true })
    await rm(scratch, { recursive: true, force: true })
  }
  try {
    await chmod(binDir, 0o755) // the non-root login user resolves commands through it
    for (const [name, target] of executables) await symlink(target, path.join(binDir, name))
    host = await startTestHost({ user, sudo: false, setEnv: { ...setEnv, PATH: binDir } })
    dropIn = await installSudoersDropIn(host.user, host.port, binDir, scratch)
  } catch (error) {
    await cleanUp()
    throw error
  }
  const started = host
  return {
    host: started,
    binDir,
    async hide(...names) {
      for (const name of executables.keys()) {
        if (!names.some(wanted => new RegExp(`^${wanted.replace(/[.+]/g, '\\$&')}(\\.\\d+)*$`).test(name))) continue
        await unlink(path.join(binDir, name)).catch(() => undefined)
        hidden.add(name)
      }
    },
    async showAll() {
      for (const name of hidden) await symlink(executables.get(name) as string, path.join(binDir, name)).catch(() => undefined)
      hidden.clear()
    },
    async lookUpUnderSudo(name) {
      const { tempDir, port, user } = started
      const result = await runCommand('ssh', [
        ...isolatedSshOptions(path.join(tempDir, 'client_ed25519_key'), path.join(tempDir, 'known_hosts'), port),
        `${user}@127.0.0.1`,
        `sudo -n -- bash -c 'command -v ${name} || true'`
      ])
      if (result.code !== 0) throw new Error(`looking up ${name} on the curated host failed: ${result.stderr.trim()}`)
      return result.stdout.trim()
    },
    stop: cleanUp
  }
}
