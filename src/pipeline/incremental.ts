import { posix } from 'node:path'
import type { Store } from '../store/store.js'
import type { Transport } from '../transport/transport.js'
import { besideDataRoot, chooseSafePlace, refuseUnsafePlace, ROOT_PLACE, unsafePlaceError, type HostPlace } from './host-places.js'
import type { Logger } from '../kernel/log.js'
import type { Manifest } from '../kernel/manifest.js'
import type { TarSnapshot } from '../sources/tar.js'
import { quote, script } from '../kernel/shell.js'
import { fetchManifest, type ManifestReading } from './verification.js'

export interface IncrementalSettings {
  enabled: boolean
  /** A new full backup once the chain's full backup is this many days old. */
  fullEveryDays: number
}

export const DEFAULT_FULL_EVERY_DAYS = 7
const DAY_MS = 86_400_000

/** What an incremental backup builds on; recorded in the manifest as `incremental`. */
export interface IncrementalPlan {
  /** 0: full. n: the n-th backup after the full one. */
  level: number
  /** Backup ids this one builds on, full backup first; empty for a full backup. */
  chain: string[]
  baseStartedAt: string
  fullEveryDays: number
  /** Why a full backup was taken, for the log. */
  reason: string
  stateDir: string
  snapshotFor(part: string): TarSnapshot
}

/** Host directory for the snapshot files, beside the data directory like the lock: written by whoever writes the data. */
export function stateDirFor(dataRoot: string): string {
  return besideDataRoot(dataRoot, 'state-')
}

const snapshotFile = (stateDir: string, part: string, backupId: string): string => posix.join(stateDir, `${part}.${backupId}.snar`)

interface Target {
  app: string
  hostId: string
  backupId: string
  dataRoot: string
  options: Record<string, unknown>
  startedAt: Date
}

/**
 * Decides between a full and an incremental backup. An incremental builds on the newest complete backup
 * of this app and host only when every backup of its chain is still in the store, the full one is younger
 * than full-every, the options are the same, and the host still has the parent's snapshot files; anything
 * else gives a full backup, so a chain never depends on something that is gone.
 */
export async function planIncremental(host: Transport, store: Store, target: Target, settings: IncrementalSettings, reading: ManifestReading, logger: Logger): Promise<IncrementalPlan> {
  // tar writes the snapshot files as root: never in a directory the application's user could plant a link in.
  const beside: HostPlace = {
    path: stateDirFor(target.dataRoot),
    name: 'the incremental state directory',
    kind: 'directory',
    fix: `run with sudo: true, so that root keeps it in ${ROOT_PLACE}; or let only root and the user that runs the backup write ${posix.dirname(target.dataRoot)}`
  }
  const chosen = await chooseSafePlace(host, beside, posix.join(ROOT_PLACE, 'state', posix.basename(beside.path)))
  if (chosen.movedBecause) logger.info(`The incremental state lives in ${chosen.path}: ${chosen.movedBecause}`)
  const stateDir = chosen.path
  const decision = await chooseParent(host, store, target, settings, stateDir, reading)
  // Snapshot files of other backups (older links, failed attempts) are not needed any more.
  const keep = decision.parent ? `*${quote(`.${decision.parent.backupId}.snar`)}) ;; ` : ''
  await host
    .run(
      script(
        ...refuseUnsafePlace({ ...beside, path: stateDir }),
        `mkdir -p -m 700 -- ${quote(stateDir)}`,
        `cd -- ${quote(stateDir)}`,
        `for file in *.snar; do [ -e "$file" ] || continue; case "$file" in ${keep}*) rm -f -- "$file" ;; esac; done`
      ),
      { description: 'Preparing the incremental state directory' }
    )
    .catch((error: unknown) => {
      throw unsafePlaceError(error) ?? error
    })
  const parent = decision.parent
  const chain = parent ? [...(parent.incremental?.chain ?? []), parent.backupId] : []
  const level = chain.length
  logger.info(parent ? `Incremental backup, level ${level}, on top of ${parent.backupId}` : `Full backup (start of an incremental chain): ${decision.reason}`)
  return {
    level,
    chain,
    baseStartedAt: parent?.incremental?.baseStartedAt ?? target.startedAt.toISOString(),
    fullEveryDays: settings.fullEveryDays,
    reason: decision.reason,
    stateDir,
    snapshotFor: part => ({ level, next: snapshotFile(stateDir, part, target.backupId), ...(parent ? { previous: snapshotFile(stateDir, part, parent.backupId) } : {}) })
  }
}

async function chooseParent(host: Transport, store: Store, target: Target, settings: IncrementalSettings, stateDir: string, reading: ManifestReading): Promise<{ parent?: Manifest; reason: string }> {
  const listed = await store.list({ app: target.app, hostId: target.hostId })
  const newest = listed[0]
  if (!newest) return { reason: 'no earlier backup of this app and host' }
  let previous: Manifest
  try {
    previous = await fetchManifest(store, newest, reading)
  } catch (error) {
    // Never build on a manifest that does not verify: a full backup depends on nothing stored.
    return { reason: `${newest.backupId} could not be used as a parent (${(error as Error).message.split('\n')[0]})` }
  }
  if (!previous.incremental) return { reason: `${previous.backupId} was not taken with incremental: true` }
  const ageDays = (target.startedAt.getTime() - Date.parse(previous.incremental.baseStartedAt)) / DAY_MS
  if (!(ageDays < settings.fullEveryDays)) return { reason: `the chain's full backup is ${ageDays.toFixed(1)} days old (full-every: ${settings.fullEveryDays})` }
  const missing = previous.incremental.chain.filter(id => !listed.some(backup => backup.backupId === id))
  if (missing.length > 0) return { reason: `${missing.join(', ')} of the chain is no longer in the store` }
  if (JSON.stringify(previous.options) !== JSON.stringify(target.options)) return { reason: 'the recipe options changed since the previous backup' }
  const snapshots = previous.parts.filter(part => part.incremental).map(part => snapshotFile(stateDir, part.name, previous.backupId))
  const result = await host.run(script(...snapshots.map(path => `[ -s ${quote(path)} ] || echo missing`)), { description: 'Looking for the previous snapshot files' })
  if (result.stdout.includes('missing')) return { reason: `the host has no snapshot files of ${previous.backupId} (in ${stateDir})` }
  return { parent: previous, reason: '' }
}
