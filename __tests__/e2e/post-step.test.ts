/**
 * The post step (dist/cleanup/index.js, `runs.post` of both actions) after a main step that never reached
 * its own close(): the runner cancelled it or it crashed. The main step is killed with SIGKILL while it
 * waits for the host lock (held here, so the moment is not a race), with its master connection up; then
 * the post step runs as the runner runs it, with the state the main step saved. A successful main step
 * already removes the key itself, so only this order shows whether the post step does anything.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { lockPathFor } from '../../src/pipeline/lock.js'
import { expectSuccess, parseCommandFile, REPO_ROOT, runAction, runNode, sshActionInputs, sweepProcessesForSecrets } from '../support/action-runner.js'
import { waitFor } from '../support/fault-checks.js'
import { processList } from '../support/seatable-bed.js'
import { registerHostSecrets, registerInputSecrets, secretScanner } from '../support/secret-scan.js'
import { runCommand, startTestHost, type TestHost } from '../support/sshd.js'
import { makeRootOwnedTabbyHome } from '../support/tabby-bed.js'

// Secrets travel in this file's runs: watch every process's command line and environment too.
sweepProcessesForSecrets()

let host: TestHost
let base: string
let root: string
let store: string
const runnerTemps: string[] = []

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 2 })
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-post-store-'))
  host = await startTestHost()
  registerHostSecrets(host)
}, 120_000)

afterAll(async () => {
  await host?.stop()
  for (const dir of [base, store, ...runnerTemps]) if (dir) await rm(dir, { recursive: true, force: true })
})

const inputs = (): Record<string, string> => ({ app: 'tabby', ...sshActionInputs(host), 'tabby-root': root, store: 'local', 'store-path': store })

/**
 * What the runner gives both steps of action.yml (as runAction in action-runner.ts builds it): every
 * declared input as INPUT_<NAME> with defaults filled, and the runner's files under RUNNER_TEMP.
 */
async function runnerEnvironment(runnerTemp: string, given: Record<string, string>): Promise<{ env: Record<string, string>; stateFile: string; post: string; main: string }> {
  const definition = load(await readFile(join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }>; runs: { main: string; post: string } }
  const files = { GITHUB_OUTPUT: join(runnerTemp, 'output'), GITHUB_STATE: join(runnerTemp, 'state'), GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary') }
  for (const file of Object.values(files)) await writeFile(file, '')
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', RUNNER_TEMP: runnerTemp, GITHUB_WORKSPACE: runnerTemp, ...files }
  for (const [name, spec] of Object.entries(definition.inputs)) {
    if (name in given) env[`INPUT_${name.toUpperCase()}`] = given[name]
    else env[`INPUT_${name.toUpperCase()}`] = spec.default?.includes('${{') ? '' : (spec.default ?? '')
  }
  return { env, stateFile: files.GITHUB_STATE, main: join(REPO_ROOT, definition.runs.main), post: join(REPO_ROOT, definition.runs.post) }
}

/** Holds the host lock of `dataRoot` the way another backup would: flock on the lock file until stdin ends. */
async function holdHostLock(dataRoot: string): Promise<ChildProcess> {
  const lockPath = lockPathFor(dataRoot)
  const holder = spawn('flock', ['--exclusive', '--close', lockPath, 'cat'], { stdio: ['pipe', 'ignore', 'inherit'] })
  const held = await waitFor(async () => (await runCommand('flock', ['--nonblock', lockPath, 'true'])).code !== 0, 10_000, 20)
  if (!held) throw new Error(`could not take the host lock ${lockPath} for the test`)
  return holder
}

async function releaseHostLock(holder: ChildProcess): Promise<void> {
  if (holder.exitCode !== null || holder.signalCode !== null) return
  const ended = new Promise(resolve => holder.once('close', resolve))
  holder.stdin?.end()
  await Promise.race([ended, new Promise(resolve => setTimeout(resolve, 5_000))])
  if (holder.exitCode === null && holder.signalCode === null && holder.pid !== undefined) process.kill(holder.pid, 'SIGKILL')
}

/** Live processes whose command line names this work dir's ssh config: the master and its mux clients. */
function sshProcessesOf(workDir: string): { pid: number; commandLine: string }[] {
  return processList().filter(({ commandLine }) => commandLine.startsWith('ssh ') && commandLine.includes(`-F ${join(workDir, 'config')} `))
}

function isGone(pid: number, commandLine: string): boolean {
  // A zombie has exited (its command line reads empty); a reused pid runs something else.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') !== commandLine
  } catch {
    return true
  }
}

it('after a main step killed mid-backup, closes the ssh master and deletes the key, known_hosts and control socket', async () => {
  const runnerTemp = await mkdtemp(join(tmpdir(), 'sb-runner-'))
  runnerTemps.push(runnerTemp)
  const given = inputs()
  registerInputSecrets(given)
  const { env, stateFile, main, post } = await runnerEnvironment(runnerTemp, given)
  const holder = await holdHostLock(root)
  let mainPid: number | undefined
  let workDir = ''
  let master: { pid: number; commandLine: string } | undefined
  try {
    const mainStep = runNode(main, env, [], pid => (mainPid = pid))
    let mainEnded = false
    void mainStep.then(() => (mainEnded = true))
    // Connected (state saved, control socket up, master running) and blocked on the lock on the host.
    const caught = await waitFor(
      () => {
        if (mainEnded) return true
        workDir = parseCommandFile(readFileSync(stateFile, 'utf8'))['ssh-work-dir'] ?? ''
        if (!workDir || !existsSync(join(workDir, 'cm'))) return false
        master = sshProcessesOf(workDir).find(({ commandLine }) => commandLine.includes('ControlMaster=yes'))
        const waitingForLock = processList().some(({ commandLine }) => commandLine.includes('flock') && commandLine.includes(lockPathFor(root)) && !commandLine.startsWith('flock --exclusive'))
        return master !== undefined && waitingForLock
      },
      60_000,
      10
    )
    expect(mainEnded).toBe(false)
    expect(caught).toBe(true)
    process.kill(mainPid as number, 'SIGKILL')
    const killed = await mainStep
    expect(killed.exitCode).not.toBe(0)
    expect(killed.stdout).not.toMatch(/^::error::/m)

    // What a crash leaves behind, and what the post step has to clean up (else this test proves nothing).
    expect(workDir.startsWith(join(runnerTemp, 'sb-ssh-'))).toBe(true)
    expect(readdirSync(runnerTemp).filter(name => name.startsWith('sb-ssh-'))).toEqual([workDir.slice(runnerTemp.length + 1)])
    expect(readFileSync(join(workDir, 'key'), 'utf8').trim()).toBe(host.clientPrivateKey.trim())
    expect(statSync(join(workDir, 'key')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(workDir, 'known_hosts'), 'utf8')).toContain(host.knownHosts)
    expect(lstatSync(join(workDir, 'cm')).isSocket()).toBe(true)
    expect(isGone(master!.pid, master!.commandLine)).toBe(false)
    expect((await runCommand('ssh', ['-F', join(workDir, 'config'), '-O', 'check', 'selfhost-backup-target'])).code).toBe(0)
    expect(await host.childPids()).not.toEqual([])

    // The post step as the runner starts it: same inputs, the saved state as STATE_*, same RUNNER_TEMP.
    const savedState = readFileSync(stateFile, 'utf8')
    const stateEnv = Object.fromEntries(Object.entries(parseCommandFile(savedState)).map(([name, value]) => [`STATE_${name}`, value]))
    const postStep = runNode(post, { ...env, ...stateEnv })
    const [cleanup, commandLines] = await Promise.all([postStep, secretScanner.sampleCommandLines(postStep, { runnerScript: join(REPO_ROOT, 'dist') + '/' })])

    expect(cleanup.exitCode).toBe(0)
    expect(`${cleanup.stdout}${cleanup.stderr}`).not.toMatch(/::(warning|error)::/)
    expect(existsSync(workDir)).toBe(false)
    expect(readdirSync(runnerTemp).filter(name => name.startsWith('sb-ssh-'))).toEqual([])
    // The master the main step started has ended, with every client that multiplexed over it...
    expect(await waitFor(() => isGone(master!.pid, master!.commandLine), 5_000, 20)).toBe(true)
    expect(await waitFor(() => sshProcessesOf(workDir).length === 0, 5_000, 20)).toBe(true)
    // ...so the host sees the connection close too.
    expect(await waitFor(async () => (await host.childPids()).length === 0, 10_000, 50)).toBe(true)
    const leaks = [
      ...commandLines.leaks,
      ...secretScanner.scanRunnerFiles([
        { text: cleanup.stdout, where: 'post step stdout', channel: 'log', stdout: true },
        { text: cleanup.stderr, where: 'post step stderr', channel: 'log' },
        { text: killed.stdout, where: 'killed main step stdout', channel: 'log', stdout: true },
        { text: killed.stderr, where: 'killed main step stderr', channel: 'log' },
        { text: savedState, where: 'GITHUB_STATE', channel: 'state' }
      ])
    ]
    expect(leaks.map(leak => secretScanner.describe(leak))).toEqual([])
  } finally {
    // Whatever the outcome, end what this test started (by pid): the main step, its master, the lock.
    if (mainPid !== undefined)
      try {
        process.kill(mainPid, 'SIGKILL')
      } catch {
        /* already gone */
      }
    if (workDir)
      for (const { pid } of sshProcessesOf(workDir))
        try {
          process.kill(pid, 'SIGTERM')
        } catch {
          /* already gone */
        }
    await releaseHostLock(holder)
  }
})

it('is a quiet no-op when the main step failed before it wrote any key', async () => {
  const run = await runAction('action.yml', { ...inputs(), 'ssh-key': 'not a key at all' }, {}, { keepRunnerTemp: true })
  runnerTemps.push(run.runnerTemp)
  expect(run.exitCode).toBe(1)
  expect(run.stdout).toMatch(/::error::Input 'ssh-key'/)
  expect(readFileSync(join(run.runnerTemp, 'state'), 'utf8')).toBe('')
  expect(run.postExitCode).toBe(0)
  expect(run.postStdout).toBe('')
})

it('exits 0 without a warning after a main step that already removed its key material', async () => {
  const run = await runAction('action.yml', inputs(), {}, { keepRunnerTemp: true })
  runnerTemps.push(run.runnerTemp)
  expectSuccess(run)
  const workDir = parseCommandFile(readFileSync(join(run.runnerTemp, 'state'), 'utf8'))['ssh-work-dir']
  expect(workDir).toMatch(/\/sb-ssh-/)
  expect(existsSync(workDir)).toBe(false)
  expect(run.postExitCode).toBe(0)
  expect(run.postStdout).not.toMatch(/::(warning|error)::/)
  expect(readdirSync(run.runnerTemp).filter(name => name.startsWith('sb-ssh-'))).toEqual([])
})

it('prints nothing after a main step that already removed its key material', async () => {
  const run = await runAction('action.yml', inputs())
  expectSuccess(run)
  expect(run.postExitCode).toBe(0)
  expect(run.postStdout).toBe('')
})
