/**
 * What a timed run leaves behind besides its duration: the peak resident memory of the processes
 * it names (VmHWM, the kernel's own high-water mark, so sampling can only miss the last moments),
 * the peak disk space taken in the host's temp locations, and CPU seconds per program.
 */
import { join } from 'node:path'
import { diskUsage, highWaterMark, listDirectory, pathsInUse, processTree } from './proc.js'
import { ProcessProfile } from './process-profile.js'

export interface SamplingOptions {
  /** Directories whose whole content counts as host temp space (e.g. the host-temp-dir input). */
  hostTempDirs: string[]
  /** The runner's temp directories (RUNNER_TEMP of our actions): their whole content counts as runner disk. */
  runnerTempDirs: string[]
  /** Directories (e.g. /tmp) where only entries created during the run count. */
  newEntriesIn: string[]
  /**
   * The host side's root process (the test sshd): a new entry counts once one of its descendants has
   * a file or working directory inside it, so other test runs sharing /tmp do not count.
   */
  hostRoots: number[]
  /** Servers whose CPU time is profiled under their own name (MariaDB, Azurite, the proxy). */
  servers: Record<string, number>
}

export interface SamplingResult {
  /** Largest VmHWM among the tracked processes; null when none was tracked. */
  peakRssBytes: number | null
  peakHostTempBytes: number
  /** Peak bytes in the runner's temp directories: what a backup or restore stages on the runner. */
  peakRunnerTempBytes: number
  /** The entries that made up the temp peak, for an explanation in the report. */
  hostTempEntries: string[]
  /** CPU seconds per program (runner side, host side, servers): where the time went. */
  cpuSeconds: Record<string, number>
}

export interface Sampling {
  track(pid: number): void
  stop(): Promise<SamplingResult>
}

/** Memory every tick; disk and CPU every few ticks (each costs more and changes more slowly). */
const TICK_MS = 100
const DISK_EVERY = 3
const PROFILE_EVERY = 5

export async function startSampling(options: SamplingOptions): Promise<Sampling> {
  const baseline = new Map(options.newEntriesIn.map(directory => [directory, new Set(listDirectory(directory))]))
  const pids = new Set<number>()
  let peakRss: number | null = null
  let peakTemp = 0
  let peakRunnerTemp = 0
  let peakEntries: string[] = []
  /** New entries seen in use by the host's processes; they count from then on, until they are gone. */
  const attributed = new Set<string>()
  // The runner side is everything this process started (the action, the manual procedure's ssh and
  // rsync) except the host's sshd and the named servers, which get their own labels.
  const profile = new ProcessProfile({ runner: () => [process.pid], host: options.hostRoots, servers: options.servers })
  profile.sample() // where the servers' counters stand before the run

  const sampleMemory = (): void => {
    for (const pid of pids) {
      const bytes = highWaterMark(pid)
      if (bytes > 0) peakRss = Math.max(peakRss ?? 0, bytes)
    }
  }
  const sampleDisk = (): void => {
    const runnerBytes = options.runnerTempDirs.reduce((sum, directory) => sum + listDirectory(directory).reduce((inner, name) => inner + diskUsage(join(directory, name)), 0), 0)
    peakRunnerTemp = Math.max(peakRunnerTemp, runnerBytes)
    let total = 0
    const entries: string[] = []
    for (const directory of options.hostTempDirs) {
      const bytes = listDirectory(directory).reduce((sum, name) => sum + diskUsage(join(directory, name)), 0)
      if (bytes > 0) entries.push(`${directory}: ${bytes}`)
      total += bytes
    }
    const candidates = [...baseline].flatMap(([directory, before]) =>
      listDirectory(directory)
        .filter(name => !before.has(name))
        .map(name => join(directory, name))
    )
    if (candidates.some(path => !attributed.has(path))) {
      const inUse = pathsInUse(processTree(options.hostRoots))
      for (const path of candidates) if (inUse.some(used => used === path || used.startsWith(`${path}/`))) attributed.add(path)
    }
    for (const path of candidates.filter(candidate => attributed.has(candidate))) {
      const bytes = diskUsage(path)
      if (bytes > 0) entries.push(`${path}: ${bytes}`)
      total += bytes
    }
    if (total > peakTemp) {
      peakTemp = total
      peakEntries = entries
    }
  }

  let stopped = false
  const loop = (async () => {
    for (let tick = 0; !stopped; tick++) {
      sampleMemory()
      if (tick % DISK_EVERY === 0) sampleDisk()
      if (tick % PROFILE_EVERY === 0) profile.sample()
      await new Promise(resolve => setTimeout(resolve, TICK_MS))
    }
    sampleMemory()
    sampleDisk()
    profile.sample()
  })()
  return {
    track(pid) {
      pids.add(pid)
      sampleMemory()
    },
    async stop() {
      stopped = true
      await loop
      return { peakRssBytes: peakRss, peakHostTempBytes: peakTemp, peakRunnerTempBytes: peakRunnerTemp, hostTempEntries: peakEntries, cpuSeconds: profile.cpuSeconds() }
    }
  }
}
