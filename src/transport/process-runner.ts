import { spawn } from 'node:child_process'
import { Readable } from 'node:stream'
import { childEnvironment } from '../kernel/child-environment.js'
import { HostCommandError } from '../kernel/errors.js'
import { interruption, InterruptedError } from '../kernel/interruption.js'
import type { RunOptions, RunResult } from './transport.js'

const COLLECT_LIMIT = 16 * 1024 * 1024
const STDERR_LIMIT = 64 * 1024

/**
 * Spawns one local process (bash, sudo or ssh) and wires stdin/stdout as streams. Shared by both
 * transports so their error and streaming behaviour cannot drift apart.
 */
export function runProcess(program: string, argv: string[], options: RunOptions, env: NodeJS.ProcessEnv = childEnvironment()): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, argv, { stdio: ['pipe', 'pipe', 'pipe'], env, detached: interruption.isolateChildren })
    const untrack = options.survivesInterruption ? () => undefined : interruption.track(child)
    let stdout = ''
    let stderr = ''
    let settled = false
    const fail = (error: Error): void => {
      if (settled) return
      settled = true
      child.kill('SIGTERM')
      reject(error)
    }

    if (options.stdout) {
      child.stdout.pipe(options.stdout, { end: false })
      options.stdout.once('error', fail)
    } else {
      child.stdout.setEncoding('utf8')
      child.stdout.on('data', (chunk: string) => {
        if (stdout.length < COLLECT_LIMIT) stdout += chunk
      })
    }
    child.stderr.setEncoding('utf8')
    let partialLine = ''
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_LIMIT)
      if (!options.onStderrLine) return
      const lines = (partialLine + chunk).split('\n')
      partialLine = (lines.pop() ?? '').slice(-STDERR_LIMIT)
      for (const line of lines) options.onStderrLine(line)
    })

    // EPIPE on stdin means the process exited early; its exit code tells the real story.
    child.stdin.on('error', () => undefined)
    if (options.stdin === undefined) {
      child.stdin.end()
    } else if (typeof options.stdin === 'string') {
      child.stdin.end(options.stdin)
    } else {
      const source: Readable = options.stdin
      source.once('error', fail)
      source.pipe(child.stdin)
    }

    child.once('error', error => fail(error))
    // Interrupted: done when the process is, not when its pipes close. An ssh client hands its pipes to the
    // connection's master, which holds them until the remote command ends on its own; the cleanup cannot wait.
    child.once('exit', () => {
      if (!interruption.didStop(child) || !interruption.interrupted || settled) return
      settled = true
      untrack()
      child.stdout.destroy()
      child.stderr.destroy()
      reject(new InterruptedError(interruption.interrupted))
    })
    child.once('close', (code, signal) => {
      untrack()
      if (options.stdin !== undefined && typeof options.stdin !== 'string') {
        options.stdin.unpipe(child.stdin)
        options.stdin.destroy()
      }
      if (settled) return
      settled = true
      const exitCode = code ?? (signal ? 128 : 1)
      // Stopped because the user interrupted the tool: said as that, not as a failure of the command.
      if (interruption.didStop(child) && interruption.interrupted) {
        reject(new InterruptedError(interruption.interrupted))
        return
      }
      if (exitCode !== 0 && !options.allowFailure) {
        reject(new HostCommandError(options.description ?? 'A command on the host', code, stderr, hintFor(stderr)))
        return
      }
      resolve({ exitCode, stdout, stderr })
    })
  })
}

function hintFor(stderr: string): string {
  if (/sudo: .*password is required|sudo: a terminal is required/.test(stderr)) {
    return 'the login user needs passwordless sudo (NOPASSWD) for `sudo -n`, or set `sudo: false` if it can read the data itself.'
  }
  if (/No space left on device|database or disk is full/i.test(stderr)) {
    return 'free space on the host: the SQLite snapshot needs as much room as the database in its temp directory (set host-temp-dir to a larger filesystem), and a restore needs room on the target filesystem.'
  }
  if (/command not found|not found$/m.test(stderr)) {
    return 'install the missing program on the host (the message above names it).'
  }
  return ''
}
