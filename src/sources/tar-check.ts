import { Writable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { VerificationError } from '../kernel/errors.js'
import type { Compression } from '../kernel/manifest.js'
import { command, pipeline, quote, script } from '../kernel/shell.js'
import { decompressCommand, decompressing, type PartInput } from './compression.js'
import type { Transport } from '../transport/transport.js'
import { ListingTally } from './tar-entries.js'

/** Feeds tar's listing to the tally line by line as it streams. */
function listingSink(tally: ListingTally): Writable {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += decoder.write(chunk)
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) if (line !== '') tally.add(line)
      done()
    },
    final(done) {
      pending += decoder.end()
      if (pending !== '') tally.add(pending)
      done()
    }
  })
}

function decompressFrom(compression: Compression, file: string): string {
  return `${decompressCommand(compression)} < ${quote(file)}`
}

/**
 * Lists every member and refuses unsafe ones: a file on the runner, or the stream a restore is sending to
 * the host (the listing runs beside the transfer, on the runner's own tar).
 */
export async function checkTarballEntries(runner: Transport, input: PartInput, compression: Compression): Promise<ListingTally> {
  const tally = new ListingTally()
  const sink = listingSink(tally)
  const listed = new Promise<void>((resolve, reject) => sink.once('finish', resolve).once('error', reject))
  const archive = decompressing(compression, input)
  await runner.run(
    // The listing is parsed: in another locale tar words hard links differently ("Link auf", "lien vers").
    script('export LC_ALL=C', pipeline(archive.text, command(['tar', '-t', '-v', '-P', '--numeric-owner', '--quoting-style=c', '-f', '-']))),
    { stdin: archive.stdin, stdout: sink, description: 'Listing the tarball' }
  )
  sink.end()
  await listed
  if (tally.unsafeCount > 0) {
    const more = tally.unsafeCount > tally.unsafe.length ? ` (and ${tally.unsafeCount - tally.unsafe.length} more)` : ''
    throw new VerificationError(`${tally.unsafeCount} unsafe entr${tally.unsafeCount === 1 ? 'y' : 'ies'}: ${tally.unsafe.join('; ')}${more}`)
  }

  return tally
}

/**
 * Lists every member (-P so tar shows absolute names and link targets as stored instead of silently
 * stripping the leading slash), refuses unsafe members before anything is written, then extracts into
 * `extractDir` and checks the regular files and their bytes against the listing.
 */
export async function checkTarball(runner: Transport, file: string, compression: Compression, extractDir: string): Promise<string> {
  const tally = await checkTarballEntries(runner, { hostFile: file }, compression)

  // --no-same-owner: a non-root runner cannot chown, and root must not hand files to archive uids either.
  await runner.run(
    script(
      pipeline(decompressFrom(compression, file), command(['tar', '-x', '-f', '-', '-C', extractDir, '--no-same-owner'])),
      // Read-only directories from the archive would stop counting (and cleanup) as a non-root user.
      command(['chmod', '-R', 'u+rwX', '--', extractDir])
    ),
    { description: 'Extracting the tarball' }
  )
  const counted = await runner.run(
    script(
      'export LC_ALL=C',
      `root=${quote(extractDir)}`,
      'real_root=$(realpath -- "$root")',
      // Hard links share an inode: count each inode once, as the listing counts each stored file once.
      `find "$root" -type f -printf '%i %s\\n' | sort -u | awk '{ n++; b += $2 } END { printf "%d %d\\n", n, b }'`,
      // A chain of links (a -> ., b -> a/..) can escape although each looks harmless on its own: resolve them for real.
      'find "$root" -type l -print0 | while IFS= read -r -d "" link; do',
      '  resolved=$(realpath -m -- "$link" 2>/dev/null) || continue',
      '  case "$resolved" in "$real_root"|"$real_root"/*) ;; *) printf "escape %s\\n" "${link#"$root"/}";; esac',
      'done'
    ),
    { description: 'Counting the extracted files' }
  )
  const [totals = '', ...escapes] = counted.stdout.trim().split('\n')
  if (escapes.length > 0) {
    throw new VerificationError(
      `symlinks resolve outside the archive: ${escapes
        .slice(0, 10)
        .map(line => JSON.stringify(line.slice('escape '.length)))
        .join(', ')}`
    )
  }
  const [files, bytes] = totals.split(' ').map(Number)
  const expectedFiles = tally.files
  const expectedBytes = tally.totalBytes
  if (files !== expectedFiles || bytes !== expectedBytes) {
    throw new VerificationError(`extracted ${files} files (${bytes} bytes), the listing has ${expectedFiles} files (${expectedBytes} bytes)`)
  }
  return `${expectedFiles} files (${expectedBytes} bytes), ${tally.directories} directories, ${tally.symlinks} symlinks, ${tally.hardLinks} hard links: listed safe, extracted and matched`
}
