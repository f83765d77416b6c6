import type { Readable } from 'node:stream'
import type { Compression } from '../kernel/manifest.js'
import { quote } from '../kernel/shell.js'
import type { Transport } from '../transport/transport.js'
import { InputError, PreflightError } from '../kernel/errors.js'

export type CompressionChoice = Compression | 'auto'
export const COMPRESSION_CHOICES: readonly CompressionChoice[] = ['auto', 'zstd', 'gzip', 'none']

/** The `compression` input: empty means auto. */
export function parseCompressionChoice(value: string | undefined): CompressionChoice {
  const choice = (value || 'auto') as CompressionChoice
  if (!COMPRESSION_CHOICES.includes(choice)) {
    throw new InputError('compression', `"${choice}" is not supported.`, `use one of: ${COMPRESSION_CHOICES.join(', ')}.`)
  }
  return choice
}

/** Host-side compressor as shell text; zstd uses every core because the host, not the runner, is the bottleneck. */
export function compressCommand(compression: Compression): string {
  switch (compression) {
    case 'zstd':
      return 'zstd -q -T0 -3 -c'
    case 'gzip':
      return 'gzip -c -6'
    case 'none':
      return 'cat'
  }
}

export function decompressCommand(compression: Compression): string {
  switch (compression) {
    case 'zstd':
      return 'zstd -q -d -c'
    case 'gzip':
      return 'gzip -d -c'
    case 'none':
      return 'cat'
  }
}

/**
 * Where a host command reads a part: a stream sent from the runner as its stdin, or a file that is already
 * on the host (a restore stages every verified part beside the data before anything live changes).
 */
export type PartInput = Readable | { hostFile: string }

/** Shell text that writes the part's decompressed bytes to stdout, and the stream to send as stdin (none for a host file). */
export function decompressing(compression: Compression, input: PartInput): { text: string; stdin?: Readable } {
  if ('hostFile' in input) return { text: `${decompressCommand(compression)} < ${quote(input.hostFile)}` }
  return { text: decompressCommand(compression), stdin: input }
}

export function compressionExtension(compression: Compression): string {
  return { zstd: '.zst', gzip: '.gz', none: '' }[compression]
}

/** `auto` picks zstd when the host has it, else gzip; an explicit choice must be installed. */
export async function resolveCompression(host: Transport, wanted: CompressionChoice): Promise<Compression> {
  if (wanted === 'none') return 'none'
  const probe = await host.run('command -v zstd >/dev/null && echo zstd; command -v gzip >/dev/null && echo gzip; true', {
    description: 'Looking for zstd and gzip on the host'
  })
  const available = probe.stdout.split('\n').filter(Boolean)
  if (wanted === 'auto') {
    if (available.includes('zstd')) return 'zstd'
    if (available.includes('gzip')) return 'gzip'
    throw new PreflightError(['neither zstd nor gzip is installed on the host'], 'install zstd (apt-get install zstd) or set `compression: none`.')
  }
  if (!available.includes(wanted)) {
    throw new PreflightError([`${wanted} is not installed on the host`], `install it (apt-get install ${wanted}) or set \`compression: auto\`.`)
  }
  return wanted
}
