import path from 'node:path'

/** One member as GNU tar lists it with `-tv -P --numeric-owner --quoting-style=c`. */
export interface TarEntry {
  /** First character of the mode column: '-' file, 'd' dir, 'l' symlink, 'h' hard link, 'c'/'b' device, 'p' FIFO… */
  type: string
  name: string
  size: number
  /** Symlink or hard link target, as stored in the archive. */
  target?: string
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, '?': 63 }

/**
 * Reads one C-quoted string starting at `start` (which must be a double quote). The c quoting style is
 * used because it delimits names unambiguously: a name may itself contain " -> " or a newline.
 */
function readQuoted(line: string, start: number): { value: string; end: number } {
  if (line[start] !== '"') throw new Error('expected a quoted name')
  const bytes: number[] = []
  let at = start + 1
  while (at < line.length && line[at] !== '"') {
    if (line[at] !== '\\') {
      bytes.push(...Buffer.from(line[at], 'utf8'))
      at++
      continue
    }
    const next = line[at + 1] ?? ''
    const octal = /^[0-7]{1,3}/.exec(line.slice(at + 1, at + 4))
    if (octal) {
      bytes.push(parseInt(octal[0], 8)) // non-printable or non-UTF-8 bytes arrive as octal escapes
      at += 1 + octal[0].length
    } else if (next in C_ESCAPES) {
      bytes.push(C_ESCAPES[next])
      at += 2
    } else {
      throw new Error(`unknown escape \\${next}`)
    }
  }
  if (at >= line.length) throw new Error('unterminated quoted name')
  return { value: Buffer.from(bytes).toString('utf8'), end: at + 1 }
}

/** Parses one listing line; throws on anything it does not recognise, so an odd entry is never waved through. */
export function parseListingLine(line: string): TarEntry {
  const quoteAt = line.indexOf('"')
  if (quoteAt < 0) throw new Error('no quoted name')
  // Nothing before the name (mode, uid/gid, size or major,minor, date) can contain a double quote.
  const [mode = '', , sizeField = ''] = line.slice(0, quoteAt).trim().split(/\s+/)
  const { value: name, end } = readQuoted(line, quoteAt)
  const rest = line.slice(end)
  const entry: TarEntry = { type: mode[0] ?? '?', name, size: /^\d+$/.test(sizeField) ? Number(sizeField) : 0 }
  const link = /^ (->|link to) (?=")/.exec(rest)
  if (link) {
    const target = readQuoted(rest, link[0].length)
    if (target.end !== rest.length) throw new Error('unexpected text after the link target')
    entry.target = target.value
  } else if (rest !== '') {
    // GNU tar appends e.g. " --Volume Header--" or " unknown file type" for types we refuse anyway.
    entry.type = entry.type === '-' ? '?' : entry.type
  }
  return entry
}

function hasDotDot(value: string): boolean {
  return value.split('/').includes('..')
}

/** Why extracting this entry could reach outside the target directory or create a special file; null if safe. */
export function unsafeReason(entry: TarEntry): string | null {
  if (entry.name.startsWith('/')) return 'absolute path'
  if (hasDotDot(entry.name)) return "path with a '..' component"
  switch (entry.type) {
    case '-':
    case 'C': // contiguous file: a regular file to every modern tar
    case 'd':
      return null
    case 'l': {
      // A listing in another locale words links differently; a target that could not be read is never waved through.
      if (entry.target === undefined) return 'symlink whose target could not be read from the listing'
      const target = entry.target
      if (target.startsWith('/')) return `symlink to the absolute path ${JSON.stringify(target)}`
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(entry.name), target))
      if (resolved === '..' || resolved.startsWith('../')) return `symlink ${JSON.stringify(target)} points outside the archive`
      return null
    }
    case 'h': {
      if (entry.target === undefined) return 'hard link whose target could not be read from the listing'
      const target = entry.target
      if (target.startsWith('/')) return `hard link to the absolute path ${JSON.stringify(target)}`
      if (hasDotDot(target)) return `hard link to ${JSON.stringify(target)} outside the archive`
      return null
    }
    case 'c':
    case 'b':
      return 'device file'
    case 'p':
      return 'FIFO'
    default:
      return `unsupported entry type '${entry.type}'`
  }
}

/**
 * Running totals over a listing, fed one line at a time so a million-entry archive is never held as
 * text, and memory stays the same however many entries it has: counts, not names. (A member stored
 * twice would count twice and fail the drill's comparison with what was extracted: tar never writes
 * one when creating an archive.)
 */
export class ListingTally {
  files = 0
  totalBytes = 0
  readonly unsafe: string[] = []
  unsafeCount = 0
  directories = 0
  symlinks = 0
  hardLinks = 0
  /** Every safe symlink (name → target, names without "./"), to resolve them together at the end: links are few. */
  readonly links = new Map<string, string>()

  add(line: string): void {
    let entry: TarEntry
    try {
      entry = parseListingLine(line)
    } catch (error) {
      this.reject(JSON.stringify(line.slice(0, 200)), `unreadable listing line (${(error as Error).message})`)
      return
    }
    const reason = unsafeReason(entry)
    if (reason) {
      this.reject(JSON.stringify(entry.name), reason)
      return
    }
    if (entry.type === '-' || entry.type === 'C') {
      this.files++
      this.totalBytes += entry.size
    } else if (entry.type === 'd') this.directories++
    else if (entry.type === 'l') {
      this.symlinks++
      this.links.set(memberPath(entry.name), entry.target ?? '')
    } else if (entry.type === 'h') this.hardLinks++
  }

  /** Keeps the first few for the report; the count says how many there were in all. */
  private reject(what: string, reason: string): void {
    this.unsafeCount++
    if (this.unsafe.length < 10) this.unsafe.push(`${what}: ${reason}`)
  }
}

/** A member name as a plain relative path: "./a/./b/" is "a/b", so names from tar and from links compare. */
function memberPath(name: string): string {
  return path.posix
    .normalize(name)
    .replace(/^(\.\/)+/, '')
    .replace(/\/$/, '')
}

const MAX_LINK_HOPS = 40

/**
 * Whether the symlink at `linkPath` (relative to an extraction root) resolves to inside that root, given
 * every symlink under the root and its target as they are on disk. Resolution follows the kernel's: each
 * link met on the way is replaced by its target, ".." leaves the directory the path has reached, so a chain
 * like x -> . and y -> x/x/../.. is seen for what it is. Missing components are taken as plain directories,
 * like realpath -m; a path that needs more than 40 links never resolves, so it cannot lead anywhere.
 */
export function symlinkStaysInside(linkPath: string, links: ReadonlyMap<string, string>): boolean {
  const start = links.get(linkPath) ?? ''
  if (start.startsWith('/')) return false
  const reached = linkPath.split('/').filter(Boolean).slice(0, -1)
  // A stack: the next component to resolve is last.
  let pending = start.split('/').reverse()
  let hops = 0
  while (pending.length > 0) {
    const component = pending.pop() as string
    if (component === '' || component === '.') continue
    if (component === '..') {
      if (reached.length === 0) return false
      reached.pop()
      continue
    }
    reached.push(component)
    const target = links.get(reached.join('/'))
    if (target === undefined) continue
    if (target.startsWith('/')) return false
    if (++hops > MAX_LINK_HOPS) return true
    reached.pop()
    pending = [...pending, ...target.split('/').reverse()]
  }
  return true
}
