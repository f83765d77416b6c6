/**
 * Issue 10, item 4: every tarball part is extracted into a fresh staging directory beside the data, checked
 * on disk after each tarball of a chain, and refused before the data changes when any entry could write or
 * point outside (links resolving out, absolute links, devices, FIFOs, set-id files, hard links to outside).
 * The Tabby recipe's own restore runs here, in-process, on temp directories through a real LocalTransport.
 */
import { createHash } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { VerificationError } from '../../src/kernel/errors.js'
import { createStaging, pinDirectory, pinnedLines, removeStaging } from '../../src/recipes/host-files.js'
import type { VerifiedPart } from '../../src/recipes/recipe.js'
import { tabbyRecipe } from '../../src/recipes/tabby.js'
import { extractTarConfined, type TreeProblems } from '../../src/sources/tar.js'
import { ListingTally } from '../../src/sources/tar-entries.js'
import { checkTarballEntries } from '../../src/sources/tar-check.js'
import { quote } from '../../src/kernel/shell.js'
import { fingerprintTree } from '../../scripts/fixtures/fingerprint.mjs'
import { caseTempDir, forged, host, leftovers, makeCase, manifestOf, removeCases, shell, tarball, tarPart, testLogger, treesOf, type CaseBed } from './host-side-bed.js'
import { restoring } from '../support/restore-context.js'

afterAll(removeCases)

function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

async function restoreTabby(bed: CaseBed, parts: VerifiedPart[]): Promise<string[]> {
  const options = tabbyRecipe.parseOptions({ 'tabby-root': bed.root, compression: 'zstd' })
  return restoring(host, testLogger(), context => tabbyRecipe.restore(host, options, parts, manifestOf('tabby', parts, { exclude: ['models'] }), context))
}

/** Restores `parts` and expects a VerificationError whose message has every one of `says`; the host must be as before. */
async function expectRefusedUnchanged(bed: CaseBed, parts: VerifiedPart[], says: string[]): Promise<void> {
  const before = await treesOf(bed)
  const error = await restoreTabby(bed, parts).then(
    () => null,
    (caught: unknown) => caught
  )
  expect(error).toBeInstanceOf(VerificationError)
  for (const part of says) expect((error as Error).message).toContain(part)
  expect(await treesOf(bed)).toEqual(before)
  expect(await leftovers(bed.dir)).toEqual([])
}

/** A source tree for a home tarball: the genuine-looking entries plus whatever `build` adds (a bash script run in it). */
function homeSource(bed: CaseBed, name: string, build: string): string {
  const source = join(bed.dir, name)
  shell('mkdir -p -- "$1/ee" "$1/logs"; printf "x = 1\\n" > "$1/config.toml"; cd -- "$1"; eval "$2"', source, build)
  return source
}

describe('a home tarball refused before the Tabby root changes', () => {
  forged('links x -> . and y -> x/x/../../../outside in one tarball', async () => {
    const bed = await makeCase({ 'config.toml': 'old\n', 'ee/keep.txt': 'keep\n' })
    const file = tarball(homeSource(bed, 'source', 'ln -s . x; ln -s x/x/../../../outside y'), join(bed.tarballs, 'home.tar.zst'))
    await expectRefusedUnchanged(bed, [tarPart('home', file)], ['"y"', 'resolves outside the restored directory', 'Nothing on the host was changed'])
  })

  forged('a member written through an escaping link later in the same tarball', async () => {
    const bed = await makeCase({ 'config.toml': 'old\n' })
    const through = join(bed.dir, 'through')
    shell('mkdir -p -- "$1/y"; printf "evil\\n" > "$1/y/evil"', through)
    const file = tarball(homeSource(bed, 'source', 'ln -s . x; ln -s x/x/../../../outside y'), join(bed.tarballs, 'home.tar.zst'), { append: { source: through, members: ['./y/evil'] } })
    const before = await treesOf(bed)
    // GNU tar keeps the link a placeholder until it ends, so the member fails; either way nothing lands outside.
    await expect(restoreTabby(bed, [tarPart('home', file)])).rejects.toThrow()
    expect(await treesOf(bed)).toEqual(before)
    expect(await leftovers(bed.dir)).toEqual([])
  })

  forged('the same escape split across an incremental chain on an empty root', async () => {
    const bed = await makeCase()
    const snapshot = join(bed.tarballs, 'level0.snar')
    const level0 = tarball(homeSource(bed, 'level0', 'ln -s . x; ln -s x/x/../../../outside y'), join(bed.tarballs, 'home-0.tar.zst'), { snapshot })
    const through = join(bed.dir, 'through')
    shell('mkdir -p -- "$1/y"; printf "evil\\n" > "$1/y/evil"', through)
    const level1 = tarball(through, join(bed.tarballs, 'home-1.tar.zst'), { members: ['./y/evil'] })
    const chain = [tarPart('home', level0, { incremental: { level: 0 } })]
    await expectRefusedUnchanged(bed, [tarPart('home', level1, { incremental: { level: 1 } }, chain)], ['home-0.tar.zst', '"y"', 'resolves outside'])
    expect(shell('ls -A -- "$1"', bed.outside).split('\n').filter(Boolean).sort()).toEqual(['root-owned', 'secret'])
  })

  forged('a hard link to outside after an escaping link of the chain', async () => {
    const bed = await makeCase()
    const level0 = tarball(homeSource(bed, 'level0', 'ln -s . x; ln -s x/x/../../../outside y'), join(bed.tarballs, 'home-0.tar.zst'), { snapshot: join(bed.tarballs, 'level0.snar') })
    const linked = join(bed.dir, 'linked')
    shell('mkdir -p -- "$1/y"; printf "decoy\\n" > "$1/y/secret"; ln -- "$1/y/secret" "$1/z"', linked)
    const plain = join(bed.tarballs, 'home-1.tar')
    shell('cd -- "$1"; tar --create --format=posix --file="$2" ./y/secret ./z; tar --delete --file="$2" ./y/secret; zstd -q --rm -- "$2"', linked, plain)
    expect(shell('tar -tvf "$1" | cut -c1', `${plain}.zst`).trim()).toBe('h')
    const chain = [tarPart('home', level0, { incremental: { level: 0 } })]
    await expectRefusedUnchanged(bed, [tarPart('home', `${plain}.zst`, { incremental: { level: 1 } }, chain)], ['"y"'])
    expect(shell('stat -c %h -- "$1/secret"', bed.outside).trim()).toBe('1')
  })

  forged('links whose names differ only in bytes that are not UTF-8 are told apart', async () => {
    const bed = await makeCase({ 'config.toml': 'old\n' })
    // \xff is a directory, \xfe a link into the tree: c -> \xff/../.. leaves it, which merged names would hide.
    const file = tarball(homeSource(bed, 'source', "mkdir $'\\xff'; ln -s a/b $'\\xfe'; ln -s $'\\xff/../..' c"), join(bed.tarballs, 'home.tar.zst'))
    await expectRefusedUnchanged(bed, [tarPart('home', file)], ['"c": a symlink to "\ufffd/../..", which resolves outside'])
  })

  forged('an absolute symlink', async () => {
    const bed = await makeCase({ 'config.toml': 'old\n' })
    const file = tarball(homeSource(bed, 'source', 'ln -s /etc/passwd passwd'), join(bed.tarballs, 'home.tar.zst'))
    await expectRefusedUnchanged(bed, [tarPart('home', file)], ['"passwd": a symlink to "/etc/passwd", which resolves outside'])
  })

  forged('a setuid file', async () => {
    const bed = await makeCase({ 'config.toml': 'old\n' })
    const file = tarball(homeSource(bed, 'source', 'printf "#!/bin/sh\\n" > tool; chmod 4755 tool'), join(bed.tarballs, 'home.tar.zst'))
    await expectRefusedUnchanged(bed, [tarPart('home', file)], ['"tool": a file with the setuid or setgid bit'])
  })

  forged('a device file', async () => {
    const bed = await makeCase({ 'config.toml': 'old\n' })
    const file = tarball(homeSource(bed, 'source', 'mknod ee/null c 1 3'), join(bed.tarballs, 'home.tar.gz'), { compression: 'gzip' })
    await expectRefusedUnchanged(bed, [tarPart('home', file)], ['"ee/null": a character device'])
  })

  forged('a FIFO, a block device and a setgid file at once, named together', async () => {
    const bed = await makeCase({ 'config.toml': 'old\n' })
    const file = tarball(homeSource(bed, 'source', 'mkfifo logs/pipe; mknod disk b 7 0; printf x > group-tool; chmod 2755 group-tool'), join(bed.tarballs, 'home.tar'), { compression: 'none' })
    await expectRefusedUnchanged(bed, [tarPart('home', file)], ['3 entries', '"logs/pipe": a FIFO', '"disk": a block device', '"group-tool": a file with the setuid or setgid bit'])
  })
})

describe('the physical check itself', () => {
  forged('a hard link from the staged tree to a file outside it is refused', async () => {
    const bed = await makeCase()
    const staging = await createStaging(host, await pinDirectory(host, bed.root))
    try {
      const stagingPath = join(bed.root, staging.steps[staging.steps.length - 1].name)
      expect(shell('stat -c "%a %u" -- "$1"', stagingPath)).toBe(`700 ${process.getuid?.()}\n`)
      shell('ln -- "$1/secret" "$2/new/z"', bed.outside, stagingPath)
      await mkdir(join(bed.dir, 'empty'))
      const empty = tarball(join(bed.dir, 'empty'), join(bed.tarballs, 'empty.tar.zst'))
      const found = await extractTarConfined(host, { enter: pinnedLines({ staging }, 'staging'), dest: 'new', compression: 'zstd', description: 'test' }, createReadStream(empty))
      expect(found).toEqual({ count: 1, entries: ['"z": a hard link to a file outside the restored directory (2 links, 1 inside)'] })
    } finally {
      await removeStaging(host, staging, testLogger())
    }
    expect(await leftovers(bed.dir)).toEqual([])
  })

  it('passes links that stay inside, hard links within the tree, and a setgid directory', async () => {
    const bed = await makeCase()
    const source = homeSource(bed, 'source', 'ln -s ee here; ln -s ../config.toml ee/config; ln config.toml twin; mkdir shared; chmod 2775 shared; ln -s loop loop')
    const file = tarball(source, join(bed.tarballs, 'home.tar.zst'))
    await restoreTabby(bed, [tarPart('home', file)])
    expect(shell('readlink -- "$1/ee/config"; stat -c %h -- "$1/twin"; stat -c %a -- "$1/shared"', bed.root)).toBe('../config.toml\n2\n2775\n')
  })
})

/** Extracts `file` as a restore's fetch does: streamed into tree-home in `incoming`, hashed where it lands. */
function extractStreamed(incoming: string, file: string, description = 'test'): Promise<TreeProblems> {
  const spec = { enter: [`cd -- ${quote(incoming)}`, 'mkdir -- tree-home'], dest: 'tree-home', compression: 'zstd' as const, description, hashInput: true }
  return extractTarConfined(host, spec, createReadStream(file))
}

describe('a tarball extracted while it streams in (a restore stages every full tarball this way)', () => {
  forged('the hash the host reports is of the bytes it received, and no member name can stand in for it', async () => {
    const bed = await makeCase()
    // Names that read like the hash record, and a link whose target looks like a hash: only the first record is the hash.
    const source = homeSource(bed, 'source', `printf x > r; mkdir -p 'r\\0'; ln -s ${'f'.repeat(64)} link; ln -s /etc/passwd r2`)
    const file = tarball(source, join(bed.tarballs, 'home.tar.zst'))
    const incoming = await caseTempDir('sb-incoming-')
    const found = await extractStreamed(incoming, file)
    expect(found).toEqual({ count: 1, entries: ['"r2": a symlink to "/etc/passwd", which resolves outside the restored directory'], received: sha256Of(file) })
    expect(shell('cat -- "$1/tree-home/r"', incoming)).toBe('x')
  })

  it('an extraction that fails still says what arrived, so the caller can tell damage on the way from a bad archive', async () => {
    const bed = await makeCase()
    const garbage = join(bed.tarballs, 'not-zstd.tar.zst')
    shell('head -c 5000000 /dev/urandom > "$1"', garbage)
    const incoming = await caseTempDir('sb-incoming-')
    const found = await extractStreamed(incoming, garbage, 'Extracting home on the host')
    expect(found.received).toBe(sha256Of(garbage))
    expect(found.failure?.message).toMatch(/^Extracting home on the host failed \(exit code \d+\)/)
    expect(found.failure?.message).not.toContain('selfhost-backup-received')
  })

  it('a file on the host is never hashed as if it had streamed in', async () => {
    const spec = { enter: [], dest: 'tree', compression: 'zstd' as const, description: 'test', hashInput: true }
    await expect(extractTarConfined(host, spec, { hostFile: '/dev/null' })).rejects.toThrow('not a file on the host')
  })

  it('a restore moves the checked tree into place, across filesystems too, with owners, modes, links and hard links', async () => {
    for (const incomingBase of [undefined, '/dev/shm']) {
      const bed = await makeCase({ 'config.toml': 'old\n', 'stray.txt': 'stray\n' })
      const source = homeSource(bed, 'source', 'ln -s ee here; ln config.toml twin; chmod 640 config.toml; mkdir -p ee/inner; printf y > ee/inner/file')
      shell('chown -R 4321:4321 -- "$1"', source)
      const file = tarball(source, join(bed.tarballs, 'home.tar.zst'))
      const incoming = incomingBase ? await mkdtemp(join(incomingBase, 'sb-incoming-')) : await caseTempDir('sb-incoming-')
      try {
        expect(await extractStreamed(incoming, file)).toEqual({ count: 0, entries: [], received: sha256Of(file) })
        const part: VerifiedPart = { ...tarPart('home', file), on: 'host', path: join(incoming, 'tree-home'), extracted: true }
        await restoreTabby(bed, [part])
        expect(await fingerprintTree(bed.root)).toEqual(await fingerprintTree(source))
        expect(shell('stat -c "%h %u %a" -- "$1/twin"; readlink -- "$1/here"; ls -A -- "$2"', bed.root, incoming)).toBe('2 4321 640\nee\n')
      } finally {
        await rm(incoming, { recursive: true, force: true })
      }
      expect(await leftovers(bed.dir)).toEqual([])
    }
  })
})

describe('reading a tar listing', () => {
  forged('a hard link in a German or French listing is refused, not waved through', async () => {
    for (const line of ['hrw-r--r-- 0/0 0 2026-01-01 00:00 "z" Link auf "../../etc/shadow"', 'hrw-r--r-- 0/0 0 2026-01-01 00:00 "z" lien vers "../../etc/shadow"']) {
      const tally = new ListingTally()
      tally.add(line)
      expect([line, tally.unsafe]).toEqual([line, ['"z": hard link whose target could not be read from the listing']])
    }
  })

  it("lists under LC_ALL=C whatever the runner's locale, so a genuine hard link is read as one", async () => {
    const bed = await makeCase()
    const file = tarball(homeSource(bed, 'source', 'ln config.toml twin'), join(bed.tarballs, 'home.tar.zst'))
    const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL }
    Object.assign(process.env, { LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' })
    try {
      expect((await checkTarballEntries(host, { hostFile: file }, 'zstd')).hardLinks).toBe(1)
    } finally {
      for (const [name, value] of Object.entries(saved))
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
    }
  })
})
