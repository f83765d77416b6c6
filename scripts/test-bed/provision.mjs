#!/usr/bin/env node
/**
 * First step of `npm test`: makes sure this (Debian) machine has every command the
 * integration tests drive, installing the missing ones from Debian's archive.
 *
 *   node scripts/test-bed/provision.mjs          check, install what is missing (root only)
 *   node scripts/test-bed/provision.mjs --check  check only; exit 1 naming what is missing
 *
 * The test host IS this machine: tests log in over SSH as a non-root user whose PATH is
 * sshd's default, so commands are looked up only in the system directories below — a
 * tool that exists only under ~/.pyenv or similar would pass here and fail remotely.
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const SYSTEM_DIRECTORIES = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']

/**
 * One row per capability. `commands` are alternatives (MariaDB or MySQL names);
 * `versionArgs: null` means the command has no harmless version flag
 * (mariadb-install-db treats unknown flags as "initialise the default data directory").
 */
const REQUIRED_TOOLS = [
  { commands: ['sshd'], versionArgs: ['-V'], debianPackage: 'openssh-server' },
  { commands: ['ssh'], versionArgs: ['-V'], debianPackage: 'openssh-client' },
  { commands: ['ssh-keygen'], versionArgs: null, debianPackage: 'openssh-client' },
  { commands: ['sudo'], versionArgs: ['-V'], debianPackage: 'sudo' },
  { commands: ['visudo'], versionArgs: ['-V'], debianPackage: 'sudo' },
  { commands: ['sqlite3'], versionArgs: ['--version'], debianPackage: 'sqlite3' },
  { commands: ['zstd'], versionArgs: ['--version'], debianPackage: 'zstd' },
  { commands: ['gzip'], versionArgs: ['--version'], debianPackage: 'gzip' },
  { commands: ['tar'], versionArgs: ['--version'], debianPackage: 'tar', versionMustInclude: 'GNU tar' },
  { commands: ['rsync'], versionArgs: ['--version'], debianPackage: 'rsync' },
  { commands: ['python3'], versionArgs: ['--version'], debianPackage: 'python3' },
  { commands: ['mariadbd', 'mysqld'], versionArgs: ['--version'], debianPackage: 'mariadb-server' },
  { commands: ['mariadb', 'mysql'], versionArgs: ['--version'], debianPackage: 'mariadb-client' },
  { commands: ['mariadb-dump', 'mysqldump'], versionArgs: ['--version'], debianPackage: 'mariadb-client' },
  { commands: ['mariadb-install-db', 'mysql_install_db'], versionArgs: null, debianPackage: 'mariadb-server' },
  { commands: ['age'], versionArgs: ['--version'], debianPackage: 'age' },
  { commands: ['useradd'], versionArgs: null, debianPackage: 'passwd' },
  // The s3 store's tests run against Ceph's RADOS Gateway: one monitor, one RAM-backed OSD, the gateway.
  { commands: ['radosgw'], versionArgs: ['--version'], debianPackage: 'radosgw' },
  { commands: ['ceph-mon'], versionArgs: ['--version'], debianPackage: 'ceph-mon' },
  { commands: ['ceph-osd'], versionArgs: ['--version'], debianPackage: 'ceph-osd' },
  { commands: ['ceph'], versionArgs: null, debianPackage: 'ceph-common' },
  { commands: ['ceph-authtool'], versionArgs: null, debianPackage: 'ceph-common' },
  { commands: ['radosgw-admin'], versionArgs: null, debianPackage: 'ceph-common' },
  { commands: ['monmaptool'], versionArgs: null, debianPackage: 'ceph-base' }
]

/** Where Debian's maintainer scripts ask whether they may start a service (exit 101 = no). */
const POLICY_RC_PATH = '/usr/sbin/policy-rc.d'
const POLICY_RC_SAVED_PATH = '/usr/sbin/policy-rc.d.selfhost-backup-saved'

function findExecutable(command) {
  for (const directory of SYSTEM_DIRECTORIES) {
    const candidate = path.join(directory, command)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory; keep looking
    }
  }
  return null
}

function firstLineOfVersion(executable, versionArgs) {
  if (versionArgs === null) return ''
  // Some tools (ssh -V, sshd -V) print their version on stderr and exit non-zero.
  const result = spawnSync(executable, versionArgs, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] })
  const text = `${result.stdout ?? ''}\n${result.stderr ?? ''}`
  return (
    text
      .split('\n')
      .map(line => line.trim())
      .find(line => line !== '') ?? ''
  )
}

/** Checks every tool; returns the ones found (with version) and the ones missing. */
function inspectTools() {
  const found = []
  const missing = []
  for (const tool of REQUIRED_TOOLS) {
    const executable = tool.commands.map(findExecutable).find(candidate => candidate !== null)
    if (executable === undefined) {
      missing.push({ tool, reason: 'not found' })
      continue
    }
    const version = firstLineOfVersion(executable, tool.versionArgs)
    if (tool.versionMustInclude !== undefined && !version.includes(tool.versionMustInclude)) {
      missing.push({ tool, reason: `${executable} is not ${tool.versionMustInclude} (${version || 'no version output'})` })
      continue
    }
    found.push({ tool, executable, version })
  }
  return { found, missing }
}

function printFound(found) {
  for (const { executable, version } of found) {
    const shortVersion = version.length > 72 ? `${version.slice(0, 69)}...` : version
    console.log(`ok  ${path.basename(executable).padEnd(19)} ${shortVersion || executable}`)
  }
}

function describeMissing(missing) {
  return missing.map(({ tool, reason }) => `${tool.commands.join(' or ')} (${reason}; Debian package ${tool.debianPackage})`)
}

function packagesFor(missing) {
  return [...new Set(missing.map(({ tool }) => tool.debianPackage))]
}

function installCommandText(packages) {
  return `sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')}'`
}

function runOrThrow(command, args, environment) {
  console.log(`$ ${command} ${args.join(' ')}`)
  // stdin is ignored: CI has none, and apt must never wait for an answer.
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: environment })
  if (result.error !== undefined) throw new Error(`could not run ${command}: ${result.error.message}`)
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`)
}

/**
 * Installs with a policy-rc.d that forbids starting services, so installing
 * mariadb-server does not leave the distro's MariaDB listening on 3306: the tests
 * start their own mariadbd on a free port and must not share or fight with a
 * system one. deb-systemd-invoke honours the same file, so this holds on systemd
 * machines too. An existing policy-rc.d (Docker images ship one) is set aside and
 * put back afterwards, untouched.
 */
function installWithServicesHeldBack(packages) {
  const hadPolicy = existsSync(POLICY_RC_PATH)
  if (hadPolicy) renameSync(POLICY_RC_PATH, POLICY_RC_SAVED_PATH)
  try {
    writeFileSync(POLICY_RC_PATH, '#!/bin/sh\n# selfhost-backup provision: no service starts during the install\nexit 101\n', { mode: 0o755 })
    const environment = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    runOrThrow('apt-get', ['-q', 'update'], environment)
    runOrThrow('apt-get', ['-q', 'install', '-y', '--no-install-recommends', ...packages], environment)
  } finally {
    rmSync(POLICY_RC_PATH, { force: true })
    if (hadPolicy) renameSync(POLICY_RC_SAVED_PATH, POLICY_RC_PATH)
  }
}

/** Reports (never stops) a MariaDB/MySQL already listening on 3306: it is not ours. */
function reportSystemDatabase() {
  const result = spawnSync('ss', ['-Hltn', 'sport = :3306'], { encoding: 'utf8' })
  if (result.status === 0 && result.stdout.trim() !== '') {
    console.log('note: something already listens on port 3306 (a system database?). The tests do not use it and leave it alone.')
  }
}

function main() {
  const checkOnly = process.argv.includes('--check')
  const first = inspectTools()
  if (!checkOnly) printFound(first.found)
  if (first.missing.length === 0) {
    if (!checkOnly) reportSystemDatabase()
    return 0
  }

  const packages = packagesFor(first.missing)
  const missingLines = describeMissing(first.missing)
  if (checkOnly || process.getuid?.() !== 0 || findExecutable('apt-get') === null) {
    const why = checkOnly ? 'missing test dependencies' : process.getuid?.() !== 0 ? 'missing test dependencies and not running as root' : 'missing test dependencies and no apt-get here'
    console.error(`provision: ${why}:\n  - ${missingLines.join('\n  - ')}`)
    console.error(`Install them as root:\n  ${installCommandText(packages)}\nor run (as root): node scripts/test-bed/provision.mjs`)
    return 1
  }

  console.log(`provision: missing ${first.missing.map(({ tool }) => tool.commands[0]).join(', ')}; installing ${packages.join(' ')}`)
  installWithServicesHeldBack(packages)

  const second = inspectTools()
  printFound(second.found.filter(({ tool }) => !first.found.some(earlier => earlier.tool === tool)))
  if (second.missing.length > 0) {
    console.error(`provision: still missing after install:\n  - ${describeMissing(second.missing).join('\n  - ')}`)
    return 1
  }
  reportSystemDatabase()
  return 0
}

try {
  process.exitCode = main()
} catch (error) {
  console.error(`provision: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
