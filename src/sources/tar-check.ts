import { Writable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { deadBytesRead } from '../kernel/dead-buffers.js'
import { VerificationError } from '../kernel/errors.js'
import type { Compression } from '../kernel/manifest.js'
import { command, pipeline, script } from '../kernel/shell.js'
import { decompressing, type PartInput } from './compression.js'
import type { Transport } from '../transport/transport.js'
import { ListingTally, symlinkStaysInside } from './tar-entries.js'

/** Feeds tar's listing to the tally line by line as it streams. */
function listingSink(tally: ListingTally): Writable {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      deadBytesRead(chunk.length)
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
 * The drill's check of a tarball, in one pass over the stream: every member listed (-P, so tar shows
 * absolute names and link targets as stored instead of stripping the leading slash) and refused when
 * unsafe; the symlinks resolved together, as the kernel would (a -> . and b -> a/.. escape only in
 * combination); and the whole archive read to its end through the decompressor, whose own checksums
 * (zstd's content checksum, gzip's CRC) prove every byte of every member. Nothing is extracted, so the
 * runner needs no room for the data.
 */
export async function checkTarballStream(runner: Transport, input: PartInput, compression: Compression): Promise<string> {
  const tally = await checkTarballEntries(runner, input, compression)
  const escapes = [...tally.links.keys()].filter(link => !symlinkStaysInside(link, tally.links))
  if (escapes.length > 0) {
    throw new VerificationError(
      `symlinks resolve outside the archive: ${escapes
        .slice(0, 10)
        .map(link => JSON.stringify(link))
        .join(', ')}`
    )
  }
  const checksums = compression === 'none' ? '' : `, every byte read through ${compression} with its checksum`
  return `${tally.files} files (${tally.totalBytes} bytes), ${tally.directories} directories, ${tally.symlinks} symlinks, ${tally.hardLinks} hard links: listed safe${tally.symlinks > 0 ? ', symlinks resolve inside' : ''}${checksums}`
}
