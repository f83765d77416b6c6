import { buildSshConfig, parseEndpoint, remoteCommandArgs, TARGET_ALIAS } from '../../../src/transport/ssh-args.js'

const files = { configFile: '/t/config', keyFile: '/t/key', knownHostsFile: '/t/known_hosts', controlPath: '/t/cm' }

describe('buildSshConfig', () => {
  it('verifies host keys strictly against the given known_hosts only', () => {
    const config = buildSshConfig({ target: { host: 'example.com', port: 2222, user: 'deploy' }, insecureSkipHostKeyCheck: false }, files)
    expect(config).toContain('StrictHostKeyChecking yes')
    expect(config).toContain('UserKnownHostsFile "/t/known_hosts"')
    expect(config).toContain('GlobalKnownHostsFile /dev/null')
    expect(config).toContain('IdentitiesOnly yes')
    expect(config).toContain('BatchMode yes')
    expect(config).toContain('ControlPath "/t/cm"')
  })

  it('skips host key checks only when asked', () => {
    const config = buildSshConfig({ target: { host: 'h', port: 22, user: 'u' }, insecureSkipHostKeyCheck: true }, files)
    expect(config).toContain('StrictHostKeyChecking no')
    expect(config).not.toContain('StrictHostKeyChecking yes')
  })

  it('gives the jump host the same key and strict checking', () => {
    const config = buildSshConfig({ target: { host: 'h', port: 22, user: 'u' }, jump: { host: 'bastion', port: 2200, user: 'j' }, insecureSkipHostKeyCheck: false }, files)
    expect(config).toMatch(/ProxyJump selfhost-backup-jump/)
    const jumpBlock = config.split('Host selfhost-backup-jump')[1]
    expect(jumpBlock).toContain('HostName bastion')
    expect(jumpBlock).toContain('Port 2200')
    expect(jumpBlock).toContain('StrictHostKeyChecking yes')
    expect(jumpBlock).toContain('IdentityFile "/t/key"')
  })
})

describe('remoteCommandArgs', () => {
  it('quotes the whole script once for the remote login shell and adds sudo -n when asked', () => {
    const args = remoteCommandArgs('/t/config', "echo 'x'", true)
    expect(args.slice(0, 4)).toEqual(['-F', '/t/config', '-T', TARGET_ALIAS])
    expect(args[4]).toBe(`sudo -n -- bash -c 'echo '\\''x'\\'''`)
  })
})

describe('parseEndpoint', () => {
  it.each([
    ['bastion', { host: 'bastion', port: 22, user: 'me' }],
    ['jump@bastion:2222', { host: 'bastion', port: 2222, user: 'jump' }],
    ['[::1]:2200', { host: '::1', port: 2200, user: 'me' }]
  ])('reads %s', (text, expected) => {
    expect(parseEndpoint(text, { user: 'me', port: 22 })).toEqual(expected)
  })
})
