/**
 * Cheap reads of /proc for the samplers. Synchronous into one reused buffer on purpose (as in
 * __tests__/support/secret-scan.ts): the async versions cost several times more CPU, and every
 * millisecond spent here is taken from the run being measured on the same two cores.
 */
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs'
import { join } from 'node:path'

let buffer = Buffer.alloc(1 << 14)

export function readProcFile(path: string): string {
  let descriptor: number | undefined
  try {
    descriptor = openSync(path, 'r')
    let length = 0
    for (let read = -1; read !== 0; length += read) {
      if (length === buffer.length) buffer = Buffer.concat([buffer, Buffer.alloc(buffer.length)])
      read = readSync(descriptor, buffer, length, buffer.length - length, null)
    }
    return buffer.toString('utf8', 0, length)
  } catch {
    return '' // the process is gone, or not ours to read
  } finally {
    if (descriptor !== undefined) closeSync(descriptor)
  }
}

function list(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}

/** `roots` and every live process below them, from the kernel's per-thread children lists. */
export function processTree(roots: number[]): number[] {
  const found = new Set<number>()
  const queue = roots.filter(pid => pid > 0)
  while (queue.length > 0) {
    const pid = queue.pop() as number
    if (found.has(pid)) continue
    found.add(pid)
    for (const task of list(`/proc/${pid}/task`)) {
      for (const child of readProcFile(`/proc/${pid}/task/${task}/children`).split(' ').filter(Boolean)) queue.push(Number(child))
    }
  }
  return [...found]
}

/** Program name and CPU ticks (user + system) of a process; null when it is gone. */
export function processTicks(pid: number): { name: string; ticks: number } | null {
  const stat = readProcFile(`/proc/${pid}/stat`)
  if (!stat) return null
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is stat's field 3 (state); utime and stime are fields 14 and 15.
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ticks: Number(fields[11]) + Number(fields[12]) }
}

/** Peak resident set of a process (VmHWM), in bytes; 0 when it is gone. */
export function highWaterMark(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readProcFile(`/proc/${pid}/status`))
  return match ? Number(match[1]) * 1024 : 0
}

/** Paths the processes hold open (files, and their working directories). */
export function pathsInUse(pids: number[]): string[] {
  const paths: string[] = []
  for (const pid of pids) {
    for (const link of [...list(`/proc/${pid}/fd`).map(fd => `/proc/${pid}/fd/${fd}`), `/proc/${pid}/cwd`]) {
      try {
        const target = readlinkSync(link)
        if (target.startsWith('/')) paths.push(target)
      } catch {
        // closed meanwhile
      }
    }
  }
  return paths
}

/** Disk blocks taken by a file or tree (not the apparent size: sparse files count as they are). */
export function diskUsage(path: string): number {
  let stats
  try {
    stats = lstatSync(path)
  } catch {
    return 0
  }
  let total = stats.blocks * 512
  if (stats.isDirectory()) for (const name of list(path)) total += diskUsage(join(path, name))
  return total
}

export { list as listDirectory }
