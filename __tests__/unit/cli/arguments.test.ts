import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseCommandLine } from '../../../src/cli/arguments.js'
import { exitCodeFor, markdownToText } from '../../../src/cli/output.js'
import { InputError, NoBackupError, PreflightError, VerificationError } from '../../../src/kernel/errors.js'
import { InterruptedError } from '../../../src/kernel/interruption.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-cli-args-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const parse = (...argv: string[]) => parseCommandLine(argv, {})
const refusal = (argv: string[]): InputError => {
  try {
    parseCommandLine(argv, {})
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error(`accepted: ${argv.join(' ')}`)
}

describe('switches', () => {
  it.each<[string[], string, string]>([
    [['restore', '--dry-run'], 'dry-run', 'true'],
    [['restore', '--dry-run', '--safety-copy', 'false'], 'safety-copy', 'false'],
    [['restore', '--dry-run', '--safety-copy', 'false'], 'dry-run', 'true'],
    [['restore', '--no-safety-copy'], 'safety-copy', 'false'],
    [['restore', '--safety-copy=false'], 'safety-copy', 'false'],
    [['restore', '--dry-run', 'true', '--app', 'tabby'], 'app', 'tabby'],
    [['restore'], 'safety-copy', 'true'],
    [['backup', '--sudo', '--app', 'seatable'], 'sudo', 'true']
  ])('%j sets %s to %s', (argv, name, value) => expect(parse(...argv).values.get(name)).toBe(value))

  it('keeps the value a bare switch was not given: the next flag stays a flag', () => {
    const line = parse('backup', '--incremental', '--verify', 'checksum')
    expect([line.values.get('incremental'), line.values.get('verify')]).toEqual(['true', 'checksum'])
  })
})

it('takes -h, --help, -V, --version, -v and --json anywhere, with or without a command', () => {
  expect(parse('-h')).toMatchObject({ command: undefined, help: true })
  expect(parse('restore', '-h')).toMatchObject({ command: 'restore', help: true })
  expect(parse('--version')).toMatchObject({ version: true })
  expect(parse('-V')).toMatchObject({ version: true })
  expect(parse('list', '--json', '-v')).toMatchObject({ command: 'list', json: true, verbose: true })
  expect(parse('put-back', '--replaced', '20261206T000000Z-abcdef')).toMatchObject({ command: 'put-back', replaced: '20261206T000000Z-abcdef' })
})

it('reads secrets only from --NAME-file or the environment, and long values from files', async () => {
  const keyFile = join(dir, 'key')
  await writeFile(keyFile, 'KEY MATERIAL\n')
  expect(parse('backup', '--ssh-key-file', keyFile).values.get('ssh-key')).toBe('KEY MATERIAL\n')
  expect(parseCommandLine(['backup'], { SELFHOST_BACKUP_DB_PASSWORD: 'from-env' }).values.get('db-password')).toBe('from-env')
  expect(parse('restore', '--known-hosts-file', keyFile).values.get('known-hosts')).toBe('KEY MATERIAL\n')
  const secret = refusal(['backup', '--db-password', 'hunter2-sentinel'])
  expect([secret.input, secret.message]).toEqual(['db-password', expect.stringContaining('is a secret')])
  expect(secret.hint).toContain('--db-password-file PATH')
  expect(`${secret.message}${secret.hint}`).not.toContain('hunter2-sentinel')
  expect(refusal(['backup', '--db-password=hunter2-sentinel']).message).not.toContain('hunter2-sentinel')
  expect(refusal(['backup', '--ssh-key-file', join(dir, 'missing')]).message).toContain('cannot read the file')
})

it.each<[string[], string, RegExp]>([
  [['frob'], 'command', /"frob" is not a command/],
  [['backup', '--colour', 'blue'], 'colour', /is not an option of backup/],
  [['--app', 'tabby'], 'app', /Name the command first/],
  [['restore', '--app'], 'app', /needs a value/],
  [['restore', '--app', '--dry-run'], 'app', /needs a value/],
  [['list', 'stray'], 'command line', /"stray" is not a --flag, and list takes no other arguments/],
  [['restore', '--', '--app', 'tabby'], 'command line', /"--app" is not a --flag/],
  [['check', '--stop-command', 'x'], 'stop-command', /is not an option of check/]
])('refuses %j, naming %s', (argv, input, message) => {
  const error = refusal(argv)
  expect(error.input).toBe(input)
  expect(error.message).toMatch(message)
  expect(error.hint).not.toBe('')
})

it('maps each outcome to its documented exit code', () => {
  expect(exitCodeFor(new InputError('app', 'bad'))).toBe(2)
  expect(exitCodeFor(new VerificationError('bad sha256'))).toBe(3)
  expect(exitCodeFor(new NoBackupError('none', 'make one', 'backup-id'))).toBe(4)
  expect(exitCodeFor(new PreflightError(['no tar']))).toBe(1)
  expect(exitCodeFor(new Error('boom'))).toBe(1)
  expect(exitCodeFor(new InterruptedError('SIGINT'))).toBe(130)
  expect(exitCodeFor(new InterruptedError('SIGTERM'))).toBe(143)
})

it('turns the job summary into terminal text: headings, emphasis, code and tables without their marks', () => {
  const text = markdownToText(['## ✅ Backup `x`', '', '**Storage:** 1 MiB', '', '| part | size |', '| --- | --- |', '| db | 2.0 KiB |', '| home | 5.0 MiB |', ''].join('\n'))
  expect(text).toBe(['✅ Backup x', '----------', '', 'Storage: 1 MiB', '', 'part  size', 'db    2.0 KiB', 'home  5.0 MiB', ''].join('\n'))
})
