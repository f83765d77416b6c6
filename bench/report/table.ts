/** The printed table: one line per (app, operation, variant, dataset), then the targets. */
import type { SummaryRow } from './summary.js'
import type { TargetResult } from './targets.js'

const MB = 1e6

const COLUMNS: { title: string; width: number; align: 'left' | 'right'; cell: (row: SummaryRow) => string }[] = [
  { title: 'app', width: 8, align: 'left', cell: row => row.app },
  { title: 'operation', width: 10, align: 'left', cell: row => (row.dataset === 'default' ? row.operation : `${row.operation} ${row.dataset}`) },
  { title: 'variant', width: 20, align: 'left', cell: row => row.variant },
  { title: 'wall s', width: 8, align: 'right', cell: row => row.seconds.toFixed(1) },
  { title: 'ours/manual', width: 11, align: 'right', cell: row => (row.versusManual === null ? '' : row.versusManual.toFixed(2)) },
  { title: 'ours/floor', width: 10, align: 'right', cell: row => (row.versusFloor === null ? '' : row.versusFloor.toFixed(2)) },
  { title: 'ours/transport', width: 14, align: 'right', cell: row => (row.versusTransportFloor === null || row.operation !== 'backup' ? '' : row.versusTransportFloor.toFixed(2)) },
  { title: 'SSH MB', width: 8, align: 'right', cell: row => (row.sshBytes / MB).toFixed(1) },
  { title: 'RSS MB', width: 7, align: 'right', cell: row => (row.peakRssBytes === null ? '' : (row.peakRssBytes / MB).toFixed(0)) },
  { title: 'host tmp MB', width: 11, align: 'right', cell: row => (row.peakHostTempBytes / MB).toFixed(1) },
  { title: 'runner tmp MB', width: 13, align: 'right', cell: row => (row.variant.startsWith('ours') ? (row.peakRunnerTempBytes / MB).toFixed(1) : '') }
]

function pad(text: string, width: number, align: 'left' | 'right'): string {
  return align === 'left' ? text.padEnd(width) : text.padStart(width)
}

export function formatTable(rows: SummaryRow[]): string {
  const header = COLUMNS.map(column => pad(column.title, column.width, column.align)).join('  ')
  const lines = rows.map(row => COLUMNS.map(column => pad(column.cell(row), column.width, column.align)).join('  '))
  return [header, '-'.repeat(header.length), ...lines].join('\n')
}

export function formatTargets(targets: TargetResult[]): string {
  const width = Math.max(...targets.map(target => target.target.length))
  return targets.map(target => `  ${target.pass === null ? 'n/a ' : target.pass ? 'PASS' : 'FAIL'}  ${target.target.padEnd(width)}  ${target.measured}`).join('\n')
}

/** Where each run spent CPU: the top programs (runner side, host side, servers), for finding what dominates. */
export function formatProfiles(rows: SummaryRow[]): string {
  return rows
    .map(row => {
      const top = Object.entries(row.cpuSeconds)
        .slice(0, 6)
        .map(([label, seconds]) => `${label} ${seconds.toFixed(1)}`)
        .join(', ')
      return `  ${`${row.app} ${row.operation}${row.dataset === 'default' ? '' : ` ${row.dataset}`} ${row.variant}`.padEnd(30)} ${top || '-'}`
    })
    .join('\n')
}
