import { posix } from 'node:path'
import { InputError } from '../kernel/errors.js'

const MAX_INPUT_LENGTH = 65_536

/** Typed access to raw input strings, with errors that name the input and the accepted values. */
export class InputReader {
  constructor(private readonly get: (name: string) => string) {}

  string(name: string, options: { maxLength?: number; multiline?: boolean } = {}): string {
    const value = (this.get(name) ?? '').trim()
    const maxLength = options.maxLength ?? MAX_INPUT_LENGTH
    if (value.length > maxLength) throw new InputError(name, `the value is ${value.length} characters long; at most ${maxLength} are accepted.`, 'check that the right value or secret is passed.')
    if (value.includes('\0')) throw new InputError(name, 'the value contains a NUL byte.', 'remove it.')
    if (!options.multiline && /[\r\n]/.test(value)) throw new InputError(name, 'the value spans several lines; one line is expected.', 'remove the line breaks.')
    return value
  }

  /** An absolute path on the host, normalized without a trailing slash; '' when not given. `hint` says what to give instead. */
  absolutePath(name: string, hint: string, options: { multiline?: boolean } = {}): string {
    const value = this.string(name, options)
    if (value && !value.startsWith('/')) throw new InputError(name, `"${value}" is not an absolute path.`, hint)
    return value ? posix.normalize(value).replace(/(.)\/$/, '$1') : ''
  }

  required(name: string, why: string): string {
    const value = this.string(name, { multiline: true })
    if (!value) throw new InputError(name, `is required ${why}.`, `set \`${name}\`.`)
    return value
  }

  boolean(name: string): boolean {
    const value = this.string(name).toLowerCase()
    if (['true', 'yes', '1', 'on'].includes(value)) return true
    if (['false', 'no', '0', 'off', ''].includes(value)) return false
    throw new InputError(name, `"${value}" is not a boolean.`, 'use true or false.')
  }

  integer(name: string, range: { min: number; max: number }): number | undefined {
    const value = this.string(name)
    if (value === '') return undefined
    if (!/^-?\d+$/.test(value) || Number(value) < range.min || Number(value) > range.max) {
      throw new InputError(name, `"${value}" is not a whole number from ${range.min} to ${range.max}.`, `use a number between ${range.min} and ${range.max}.`)
    }
    return Number(value)
  }

  /** A size in bytes: a whole number with an optional binary unit (K, M, G: 1024, 1024², 1024³), e.g. 256M. */
  byteSize(name: string, range: { min: number; max: number }): number | undefined {
    const value = this.string(name)
    if (value === '') return undefined
    const match = /^(\d+)\s*([KMG]?)(i?B)?$/i.exec(value)
    const bytes = match ? Number(match[1]) * 1024 ** ['', 'K', 'M', 'G'].indexOf(match[2].toUpperCase()) : Number.NaN
    if (!(bytes >= range.min && bytes <= range.max)) {
      throw new InputError(name, `"${value}" is not a size from ${sizeText(range.min)} to ${sizeText(range.max)}.`, 'write a whole number with K, M or G (powers of 1024), e.g. 256M.')
    }
    return bytes
  }

  choice<T extends string>(name: string, choices: readonly T[]): T {
    const value = this.string(name) as T
    if (!choices.includes(value)) throw new InputError(name, `"${value}" is not one of ${choices.join(', ')}.`, `use one of: ${choices.join(', ')}.`)
    return value
  }
}

/** 1048576 → 1M: the largest unit that divides the size. */
function sizeText(bytes: number): string {
  for (const [unit, factor] of [
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024]
  ] as const)
    if (bytes % factor === 0) return `${bytes / factor}${unit}`
  return String(bytes)
}
