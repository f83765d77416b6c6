import { parseBackupInputs } from '../../../src/inputs/backup.js'
import { InputError } from '../../../src/kernel/errors.js'
import { inputsOf } from '../../../src/inputs/definitions.js'
import { parseRestoreInputs } from '../../../src/inputs/restore.js'

const PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'
const defaults = (action: 'backup' | 'restore'): Record<string, string> => Object.fromEntries(inputsOf(action).map(input => [input.name, input.default]))
const sshInputs: Record<string, string> = { host: 'tabby.example.com', user: 'deploy', 'ssh-key': PRIVATE_KEY, 'known-hosts': 'tabby.example.com ssh-ed25519 AAAAC3Nza' }

function backupError(values: Record<string, string>): InputError {
  const all = { ...defaults('backup'), ...sshInputs, ...values }
  try {
    parseBackupInputs(name => all[name] ?? '')
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('expected an InputError')
}

describe('parseBackupInputs', () => {
  it('accepts a complete ssh configuration', () => {
    const all: Record<string, string> = { ...defaults('backup'), ...sshInputs, port: '2222', sudo: 'true' }
    const parsed = parseBackupInputs(name => all[name] ?? '')
    expect(parsed.transport).toMatchObject({ kind: 'ssh', sudo: true, target: { host: 'tabby.example.com', port: 2222, user: 'deploy' } })
    expect(parsed.store).toMatchObject({ kind: 'github', retentionDays: undefined })
  })

  it.each([
    [{ app: 'nextcloud' }, 'app', /tabby/],
    [{ transport: 'telnet' }, 'transport', /ssh, local/],
    [{ host: '' }, 'host', /required/],
    [{ host: 'evil.com; rm -rf /' }, 'host', /not a host name/],
    [{ host: 'user@host' }, 'host', /not a host name/],
    [{ port: '0' }, 'port', /1 to 65535/],
    [{ port: '70000' }, 'port', /1 to 65535/],
    [{ port: 'ssh' }, 'port', /whole number/],
    [{ user: '$(id)' }, 'user', /login name/],
    [{ 'ssh-key': '' }, 'ssh-key', /required/],
    [{ 'ssh-key': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ me@laptop' }, 'ssh-key', /public key/],
    [{ 'ssh-key': 'hunter2' }, 'ssh-key', /does not look like a private key/],
    [{ 'known-hosts': '' }, 'known-hosts', /required/],
    [{ 'jump-host': 'bad host!' }, 'jump-host', /\[user@\]host/],
    [{ sudo: 'maybe' }, 'sudo', /true or false/],
    [{ 'retention-days': '-1' }, 'retention-days', /1 to 400/],
    [{ 'retention-days': '1000' }, 'retention-days', /1 to 400/],
    [{ store: 'ftp' }, 'store', /github, local, s3/],
    [{ store: 'local', 'store-path': '' }, 'store-path', /required/],
    [{ store: 's3' }, 's3-bucket', /required with store: s3/],
    [{ store: 's3', 's3-bucket': 's3://backups' }, 's3-bucket', /not a bucket name.*no s3:\/\//],
    [{ store: 's3', 's3-bucket': 'Backups_2026' }, 's3-bucket', /not a bucket name/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-prefix': '/abs/' }, 's3-prefix', /no leading slash/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-prefix': 'a/../b' }, 's3-prefix', /no "\.\."/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-prefix': 'a//b' }, 's3-prefix', /single slashes/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-prefix': 'a b' }, 's3-prefix', /not a usable key prefix/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-endpoint': 'minio.local:9000' }, 's3-endpoint', /https/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-endpoint': 'ftp://minio.local' }, 's3-endpoint', /https/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-endpoint': 'https://key:secret@minio.local' }, 's3-endpoint', /user name or password/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-endpoint': 'https://minio.local/b1' }, 's3-endpoint', /path, query or fragment/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-region': 'EU Central' }, 's3-region', /region/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-storage-class': 'cheap' }, 's3-storage-class', /STANDARD_IA/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-secret-access-key': 'abc' }, 's3-access-key-id', /set both/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-access-key-id': 'AKIA' }, 's3-secret-access-key', /set both/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-object-lock-days': '0' }, 's3-object-lock-days', /1 to 36500/],
    [{ store: 's3', 's3-bucket': 'bkp', 's3-object-lock-days': '30', 's3-object-lock-mode': 'strict' }, 's3-object-lock-mode', /governance, compliance/],
    [{ app: 'tabby', 'tabby-root': 'relative/path' }, 'tabby-root', /absolute/],
    [{ app: 'tabby', exclude: '../etc' }, 'exclude', /relative/],
    [{ app: 'tabby', compression: 'xz' }, 'compression', /auto, zstd, gzip, none/],
    [{ host: 'a'.repeat(70_000) }, 'host', /at most/]
  ])('rejects %j naming the input %s', (values, input, pattern) => {
    const error = backupError(values as Record<string, string>)
    expect(error.input).toBe(input)
    expect(`${error.message} ${error.hint}`).toMatch(pattern)
    expect(error.hint).not.toBe('')
  })

  it('reads a complete s3 store: prefix normalized, region from AWS_REGION when empty, Object Lock upper-cased', () => {
    const all: Record<string, string> = {
      ...defaults('backup'),
      ...sshInputs,
      store: 's3',
      's3-bucket': 'selfhost-backups',
      's3-prefix': 'nightly/tabby',
      's3-endpoint': 'https://s3.eu-central-003.backblazeb2.com/',
      's3-object-lock-days': '30',
      's3-object-lock-mode': 'compliance'
    }
    const previous = process.env.AWS_REGION
    process.env.AWS_REGION = 'eu-central-003'
    try {
      expect(parseBackupInputs(name => all[name] ?? '').store).toEqual({
        kind: 's3',
        bucket: 'selfhost-backups',
        prefix: 'nightly/tabby/',
        endpoint: 'https://s3.eu-central-003.backblazeb2.com',
        region: 'eu-central-003',
        forcePathStyle: false,
        storageClass: undefined,
        credentials: undefined,
        objectLock: { days: 30, mode: 'COMPLIANCE' }
      })
    } finally {
      if (previous === undefined) delete process.env.AWS_REGION
      else process.env.AWS_REGION = previous
    }
  })

  it('never echoes the S3 secret or a password in an endpoint URL', () => {
    for (const values of <Record<string, string>[]>[
      { store: 's3', 's3-bucket': 'bkp', 's3-secret-access-key': 'SENTINEL-secret' },
      { store: 's3', 's3-bucket': 'bkp', 's3-endpoint': 'https://user:SENTINEL@minio.local' }
    ]) {
      const error = backupError(values)
      expect(`${error.message} ${error.hint}`).not.toContain('SENTINEL')
    }
  })

  it('never echoes the key when rejecting it', () => {
    const error = backupError({ 'ssh-key': 'not-a-key-but-secret-SENTINEL' })
    expect(`${error.message} ${error.hint}`).not.toContain('SENTINEL')
  })

  it('allows skipping host key checks only as an explicit opt-in', () => {
    const all: Record<string, string> = { ...defaults('backup'), ...sshInputs, 'known-hosts': '', 'insecure-skip-host-key-check': 'true' }
    expect(parseBackupInputs(name => all[name] ?? '').transport).toMatchObject({ insecureSkipHostKeyCheck: true })
  })
})

describe('parseRestoreInputs', () => {
  const restore = (values: Record<string, string>) => {
    const all: Record<string, string> = { ...defaults('restore'), ...sshInputs, ...values }
    return parseRestoreInputs(name => all[name] ?? '')
  }

  it('defaults to a safety copy and a real (not dry) run', () => {
    expect(restore({})).toMatchObject({ safetyCopy: true, dryRun: false, backupId: '' })
  })

  it('requires a token to read another run', () => {
    expect(() => restore({ 'run-id': '42', 'github-token': '' })).toThrow(/github-token/)
  })

  it('rejects a relative safety-copy-dir', () => {
    expect(() => restore({ 'safety-copy-dir': 'backups' })).toThrow(/safety-copy-dir/)
  })

  it('rejects a run id that is not a positive number', () => {
    expect(() => restore({ 'run-id': '-5', 'github-token': 't' })).toThrow(/run-id/)
  })
})

describe('verification inputs', () => {
  const parse = (values: Record<string, string>) => {
    const all: Record<string, string> = { ...defaults('backup'), ...sshInputs, ...values }
    return parseBackupInputs(name => all[name] ?? '')
  }

  it('drills by default', () => {
    expect(parse({}).verification).toEqual({ mode: 'backup', verify: 'drill', shrinkThreshold: 50, failOnShrink: false, maxAgeSeconds: undefined })
  })

  it('needs only the host name and the public key that verifies signatures with mode: check, since nothing connects', () => {
    const publicKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl backup_key'
    const parsed = parse({ mode: 'check', 'max-age': '26h', 'ssh-key': '', 'known-hosts': '', user: '', 'trusted-signers': publicKey })
    expect(parsed.verification.maxAgeSeconds).toBe(26 * 3600)
    expect(parsed.transport).toMatchObject({ kind: 'ssh', target: { host: 'tabby.example.com', port: 22 } })
    expect(parsed.signing).toEqual({ privateKey: '', privateKeyInput: '', trustedSigners: [publicKey.replace(/ backup_key$/, '')] })
    expect(() => parse({ mode: 'check', 'max-age': '26h', 'ssh-key': '', 'known-hosts': '', user: '' })).toThrow(/Input 'trusted-signers': is empty and no private key/)
  })

  it('signs with ssh-key by default and with signing-key when given; transport: local needs signing-key', () => {
    expect(parse({}).signing.privateKeyInput).toBe('ssh-key')
    const signingKey = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----'
    expect(parse({ 'signing-key': signingKey }).signing).toMatchObject({ privateKey: signingKey, privateKeyInput: 'signing-key' })
    expect(() => parse({ transport: 'local' })).toThrow(/Input 'signing-key': is required with transport: local/)
    expect(() => parse({ 'signing-key': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl' })).toThrow(/this is a public key/)
    expect(() => parse({ 'trusted-signers': 'not a key' })).toThrow(/Input 'trusted-signers': "not a key" is not an OpenSSH public key/)
  })

  it.each([
    [{ verify: 'maybe' }, /drill, checksum/],
    [{ mode: 'check' }, /max-age.*required/],
    [{ mode: 'check', 'max-age': 'soon' }, /not a duration/],
    [{ 'shrink-threshold': '0' }, /1 to 100/],
    [{ 'encrypt-to': 'age1short' }, /not an age recipient/],
    [{ 'require-encryption': 'true' }, /encrypt-to.*require-encryption/]
  ])('rejects %j', (values, pattern) => {
    expect(() => parse(values as Record<string, string>)).toThrow(pattern)
  })
})
