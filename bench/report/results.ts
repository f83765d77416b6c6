/**
 * The benchmark's output: bench/results/latest.json (a default-scale run; other scales get their
 * own file) and the README's performance table between its markers, both from the same object.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { NODE24, REPO_ROOT } from '../../__tests__/support/action-runner.js'
import type { BenchKnobs } from '../knobs.js'
import type { DatasetFacts } from '../procedures/bench-bed.js'
import type { IncrementalResult } from '../procedures/incremental.js'
import type { LargeResult } from '../procedures/large.js'
import type { SummaryRow } from './summary.js'
import { formatProfiles, formatTable, formatTargets } from './table.js'
import type { TargetResult } from './targets.js'

export interface BenchResults {
  date: string
  machine: { cpu: string; cores: number; ramBytes: number; os: string; node: string; actionNode: string }
  /** Which bundles were measured. */
  bundle: BundleVersion
  knobs: BenchKnobs
  dataset: DatasetFacts & { tabbyDatabaseFileBytes: number }
  totalSeconds: number
  rows: SummaryRow[]
  incremental?: IncrementalResult
  large?: LargeResult
  targets: TargetResult[]
  notes: string[]
}

export interface BundleVersion {
  commit: string
  /** sha256 (12 hex digits) of dist/backup/index.js and dist/restore/index.js. */
  backup: string
  restore: string
}

export function bundleVersion(): BundleVersion {
  const digest = (file: string) =>
    createHash('sha256')
      .update(readFileSync(join(REPO_ROOT, file)))
      .digest('hex')
      .slice(0, 12)
  let commit = 'unknown'
  try {
    commit = execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
  } catch {
    // not a git checkout
  }
  return { commit, backup: digest('dist/backup/index.js'), restore: digest('dist/restore/index.js') }
}

export const README_START = '<!-- performance-table -->'
export const README_END = '<!-- /performance-table -->'

export function machineInfo(): BenchResults['machine'] {
  const cpus = os.cpus()
  const actionNode = existsSync(NODE24) ? execFileSync(NODE24, ['--version'], { encoding: 'utf8' }).trim() : process.version
  const release = existsSync('/etc/os-release') ? /PRETTY_NAME="([^"]+)"/.exec(execFileSync('cat', ['/etc/os-release'], { encoding: 'utf8' }))?.[1] : undefined
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, ramBytes: os.totalmem(), os: release ?? `${os.type()} ${os.release()}`, node: process.version, actionNode }
}

export function resultsPath(knobs: BenchKnobs): string {
  return join(REPO_ROOT, 'bench', 'results', knobs.scale === 1 ? 'latest.json' : `scale-${knobs.scale}.json`)
}

export function formatReport(results: BenchResults): string {
  const { knobs, dataset, machine } = results
  const header = [
    `selfhost-backup benchmark, ${results.date.slice(0, 10)}: ${machine.cores} × ${machine.cpu}, ${(machine.ramBytes / 2 ** 30).toFixed(0)} GiB RAM, ${machine.os}, action on Node ${machine.actionNode}`,
    `bundles measured: dist/backup ${results.bundle.backup}, dist/restore ${results.bundle.restore} (on commit ${results.bundle.commit})`,
    `dataset × ${knobs.scale}: SeaTable ${dataset.dataFiles} data files / ${(dataset.dataBytes / 1e9).toFixed(2)} GB, operation_log ${dataset.operationLogRows} rows; Tabby ${(dataset.tabbyDatabaseFileBytes / 1e6).toFixed(0)} MB database, ${dataset.tabbyEventFiles} event files`,
    `median of ${knobs.runs} run(s); ours with verify: ${knobs.verify}; MB = 10^6 bytes; RSS = the action's node process (VmHWM); host tmp = the host's temp space at its peak`
  ]
  return [...header, '', formatTable(results.rows), '', 'Targets:', formatTargets(results.targets), ...results.notes.map(note => `Note: ${note}`)].join('\n')
}

/** The printed report: the table and targets, then CPU seconds per program for each row. */
export function formatFullReport(results: BenchResults): string {
  const stages = results.rows.filter(row => row.stages).map(row => `  ${`${row.app} ${row.operation}${row.dataset === 'default' ? '' : ` ${row.dataset}`} ${row.variant}`.padEnd(38)} ${row.stages}`)
  return [
    formatReport(results),
    '',
    "CPU seconds by program (median run; runner = the action's process tree, host = the SSH sessions on the host):",
    formatProfiles(results.rows),
    ...(stages.length > 0
      ? [
          '',
          'Stages of our backups and restores (median run; the parts stream one after another or side by side, uploads overlap them; a restore stages every part on the host, then applies them):',
          ...stages
        ]
      : [])
  ].join('\n')
}

/** Stored results of a run at this scale, for BENCH_REPORT_ONLY. */
export async function readResults(knobs: BenchKnobs): Promise<BenchResults> {
  const { table: _table, ...results } = JSON.parse(await readFile(resultsPath(knobs), 'utf8')) as BenchResults & { table?: string }
  return results
}

export async function writeResults(results: BenchResults): Promise<string> {
  const path = resultsPath(results.knobs)
  await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true })
  await writeFile(path, `${JSON.stringify({ ...results, table: formatFullReport(results) }, null, 2)}\n`)
  return path
}

/** Replaces only what is between the README's performance markers. */
export async function updateReadme(results: BenchResults): Promise<void> {
  const readmePath = join(REPO_ROOT, 'README.md')
  const text = await readFile(readmePath, 'utf8')
  const start = text.indexOf(README_START)
  const end = text.indexOf(README_END)
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} section to update`)
  const passed = results.targets.filter(target => target.pass === true).length
  const failed = results.targets.filter(target => target.pass === false).length
  const open = results.targets.filter(target => target.pass === null).length
  const body = [
    '```',
    formatReport(results),
    '```',
    `(\`npm run bench\`, ${Math.round(results.totalSeconds / 60)} minutes; targets: ${passed} passed, ${failed} failed, ${open} not measured. Full figures: [bench/results/latest.json](bench/results/latest.json).)`
  ].join('\n')
  await writeFile(readmePath, `${text.slice(0, start + README_START.length)}\n${body}\n${text.slice(end)}`)
}
