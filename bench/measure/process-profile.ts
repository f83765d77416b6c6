/**
 * Where a run's time goes: CPU seconds per program name, summed over the runner's process tree
 * (the action and its children), the host's (everything under the test sshd) and a few named
 * servers (MariaDB, Azurite, the proxy, the jest process with the emulator), sampled from /proc.
 * Programs that start and end between two samples are missed; the long ones, which matter, are not.
 */
import { processTicks, processTree, readProcFile } from './proc.js'

export interface ProfileSources {
  /** Roots of the runner side; the host's and the servers' processes below them keep their own labels. */
  runner: () => number[]
  /** Roots of the host side (the test sshd). */
  host: number[]
  /** Single processes counted under their own label, e.g. { mariadbd: pid }. */
  servers: Record<string, number>
}

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

/** Busy CPU ticks of the whole machine (all but idle and iowait), from the first line of /proc/stat. */
function machineBusyTicks(): number {
  const [, ...fields] = readProcFile('/proc/stat').split('\n')[0].trim().split(/\s+/)
  const [user, nice, system, , , irq, softirq, steal = 0] = fields.map(Number)
  return user + nice + system + irq + softirq + steal
}

export class ProcessProfile {
  /** Last seen CPU ticks per pid. */
  private readonly seen = new Map<number, number>()
  private readonly cpuTicks = new Map<string, number>()
  private readonly busyAtStart = machineBusyTicks()

  constructor(private readonly sources: ProfileSources) {}

  /** The first call only notes where the servers' counters stand. */
  sample(): void {
    const labels = new Map<number, string>()
    for (const pid of processTree(this.sources.runner())) labels.set(pid, 'runner') // later labels win
    for (const pid of processTree(this.sources.host)) if (!this.sources.host.includes(pid)) labels.set(pid, 'host')
    for (const [label, pid] of Object.entries(this.sources.servers)) labels.set(pid, label)
    const servers = new Set(Object.values(this.sources.servers))
    for (const [pid, side] of labels) {
      const info = processTicks(pid)
      if (!info) continue
      // Node names its main thread (and so the process) MainThread.
      const label = servers.has(pid) ? side : `${side} ${info.name === 'MainThread' ? 'node' : info.name}`
      // A process first seen mid-run used all its ticks within the run; a server only what it adds.
      const base = this.seen.get(pid) ?? (servers.has(pid) ? info.ticks : 0)
      if (info.ticks > base) this.cpuTicks.set(label, (this.cpuTicks.get(label) ?? 0) + info.ticks - base)
      this.seen.set(pid, info.ticks)
    }
  }

  /**
   * CPU seconds per label, largest first, labels under 0.1 s left out. "unattributed" is the rest of
   * the machine's busy time: the kernel (page cache writeback, file system), processes too short-lived
   * to be sampled, and anything else running on the machine; a large value means the run was disturbed.
   */
  cpuSeconds(): Record<string, number> {
    const attributed = [...this.cpuTicks.values()].reduce((sum, ticks) => sum + ticks, 0)
    const unattributed = Math.max(0, machineBusyTicks() - this.busyAtStart - attributed)
    return Object.fromEntries(
      [...this.cpuTicks, ['unattributed', unattributed] as const]
        .map(([label, ticks]) => [label, ticks / TICKS_PER_SECOND] as const)
        .filter(([, seconds]) => seconds >= 0.1)
        .sort((a, b) => b[1] - a[1])
        .map(([label, seconds]) => [label, Number(seconds.toFixed(1))])
    )
  }
}
