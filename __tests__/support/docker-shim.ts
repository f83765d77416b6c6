/**
 * Installs a fake `docker` CLI for SeaTable tests (the machine has a docker client but no
 * daemon). The shim itself is scripts/fixtures/seatable/docker-shim.sh; this module gives
 * it a private bin dir, the container table and per-container client config beside it.
 * Put `binDir` first on the test host's PATH with startTestHost({ pathPrefix: [binDir] }).
 *
 * The shim reads its configuration relative to its own path, never from the environment,
 * because `sudo docker …` runs with sudo's reset environment.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

/** `image` is what `docker ps` and `docker inspect` say the container runs (default: by kind); an `app` container only has an image. */
export type ShimContainer =
  | { kind: 'database'; mariadb: { socket: string; port: number }; running?: boolean; image?: string }
  | { kind: 'seatable'; dataRoot: string; running?: boolean; image?: string }
  | { kind: 'app'; image: string; running?: boolean }

export interface DockerShimOptions {
  /** Container name → what it stands for. `running: false` makes exec fail as for a stopped container. */
  containers: Record<string, ShimContainer>
}

export interface DockerShim {
  /** Holds `docker` (0755, in a 0755 dir so the non-root login user may run it too). */
  binDir: string
  /** One line per call; read it with readDockerShimLog. Never holds stdin content. */
  logFile: string
  /** Every call so far, oldest first. */
  invocations(): Promise<DockerShimInvocation[]>
  /** Replaces the container table (rename, add or drop containers) for the calls that follow. */
  setContainers(containers: Record<string, ShimContainer>): Promise<void>
  remove(): Promise<void>
}

export interface DockerShimInvocation {
  uid: number
  /** Whether the caller's stdin was a terminal. */
  stdinIsTerminal: boolean
  /** The arguments after `docker`, exactly as received. */
  argv: string[]
}

export const DOCKER_SHIM_TEMP_DIR_PREFIX = 'selfhost-backup-docker-shim-'
const FIXTURE_DIRECTORY = new URL('../../scripts/fixtures/seatable/', import.meta.url).pathname

/** The config is tab-separated lines read by bash; refuse what would break that format. */
function checkedField(value: string, what: string): string {
  if (value === '' || /[\t\n\r]/.test(value)) throw new Error(`installDockerShim: ${what} must be non-empty without tabs or newlines: ${JSON.stringify(value)}`)
  return value
}

function configLine(name: string, container: ShimContainer): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`installDockerShim: not a valid docker container name: ${JSON.stringify(name)}`)
  const running = container.running === false ? '0' : '1'
  const details =
    container.kind === 'database'
      ? [checkedField(path.resolve(container.mariadb.socket), 'mariadb.socket'), String(container.mariadb.port)]
      : container.kind === 'seatable'
        ? [checkedField(path.resolve(container.dataRoot), 'dataRoot'), '-']
        : ['-', '-']
  return [name, container.kind, running, ...details, container.image === undefined ? '-' : checkedField(container.image, 'image')].join('\t')
}

/** Option-file quoting: the socket path may hold characters the format treats specially. */
function optionValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/** The table the shim reads, and per database container the client config beside it. */
async function writeContainers(binDir: string, containers: Record<string, ShimContainer>): Promise<void> {
  const entries = Object.entries(containers)
  const config = `${entries.map(([name, container]) => configLine(name, container)).join('\n')}\n`
  for (const [name, container] of entries) {
    if (container.kind !== 'database') continue
    // Read as $MYSQL_HOME/my.cnf: after /etc/mysql/my.cnf (whose socket is the system
    // server's) and before a --defaults-extra-file, so the product's own file still rules.
    const containerDir = path.join(binDir, 'containers', name)
    await mkdir(containerDir, { recursive: true, mode: 0o755 })
    const myCnf = `[client-server]\nsocket=${optionValue(container.mariadb.socket)}\nport=${container.mariadb.port}\n`
    await writeFile(path.join(containerDir, 'my.cnf'), myCnf, { mode: 0o644 }) // the client ignores world-writable files
    await chmod(path.join(containerDir, 'my.cnf'), 0o644)
  }
  await writeFile(path.join(binDir, 'containers.conf'), config, { mode: 0o644 })
}

export async function installDockerShim(options: DockerShimOptions): Promise<DockerShim> {
  const binDir = await mkdtemp(path.join(os.tmpdir(), `${DOCKER_SHIM_TEMP_DIR_PREFIX}${process.pid}-`))
  const logFile = path.join(binDir, 'docker.log')
  try {
    await chmod(binDir, 0o755)
    await copyFile(path.join(FIXTURE_DIRECTORY, 'docker-shim.sh'), path.join(binDir, 'docker'))
    await copyFile(path.join(FIXTURE_DIRECTORY, 'fake-seatable.sh'), path.join(binDir, 'fake-seatable.sh'))
    await chmod(path.join(binDir, 'docker'), 0o755)
    await chmod(path.join(binDir, 'fake-seatable.sh'), 0o755)
    await writeContainers(binDir, options.containers)
    await writeFile(logFile, '')
    await chmod(logFile, 0o666) // the login user may call docker without sudo and must still be logged
  } catch (error) {
    await rm(binDir, { recursive: true, force: true })
    throw error
  }
  return {
    binDir,
    logFile,
    invocations: () => readDockerShimLog(logFile),
    setContainers: containers => writeContainers(binDir, containers),
    remove: () => rm(binDir, { recursive: true, force: true })
  }
}

/** Parses the shim's log: `uid<TAB>tty|notty<TAB>base64(NUL-terminated argv)<TAB>readable copy`. */
export async function readDockerShimLog(logFile: string): Promise<DockerShimInvocation[]> {
  const lines = (await readFile(logFile, 'utf8')).split('\n').filter(line => line !== '')
  return lines.map(line => {
    const [uid, terminal, encoded] = line.split('\t')
    const words = Buffer.from(encoded ?? '', 'base64')
      .toString('utf8')
      .split('\0')
    words.pop() // every word ends with a NUL, so the last piece is empty
    return { uid: Number(uid), stdinIsTerminal: terminal === 'tty', argv: words }
  })
}
