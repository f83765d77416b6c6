import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { command, quote } from '../../../src/kernel/shell.js'
import { HOSTILE_VALUES } from '../../support/hostile-values.js'

const echoThroughBash = (text: string): string => execFileSync('bash', ['-c', text], { encoding: 'utf8' })

describe('quote', () => {
  it.each(HOSTILE_VALUES.map(value => [JSON.stringify(value), value]))('passes %s through bash unchanged', (_label, value) => {
    expect(echoThroughBash(`printf '%s' ${quote(value)}`)).toBe(value)
    expect(existsSync('/tmp/selfhost-backup-pwned')).toBe(false)
  })

  it('survives a second shell level, as ssh adds one', () => {
    for (const value of HOSTILE_VALUES) {
      const inner = `printf '%s' ${quote(value)}`
      expect(echoThroughBash(`bash -c ${quote(inner)}`)).toBe(value)
    }
    expect(existsSync('/tmp/selfhost-backup-pwned')).toBe(false)
  })

  it('refuses a NUL byte instead of truncating the argument', () => {
    expect(() => quote('a\0b')).toThrow(/NUL/)
  })

  it('leaves plain words readable', () => {
    expect(quote('/var/lib/tabby')).toBe('/var/lib/tabby')
    expect(quote('')).toBe("''")
  })
})

describe('command', () => {
  it('keeps every argument a single argument', () => {
    const argv = ['printf', '%s|', ...HOSTILE_VALUES]
    expect(echoThroughBash(command(argv))).toBe(HOSTILE_VALUES.map(value => `${value}|`).join(''))
  })
})
