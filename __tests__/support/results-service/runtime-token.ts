import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** The run and job a runtime token speaks for, as the clients read it from `scp`. */
export interface TokenScope {
  runBackendId: string
  jobBackendId: string
}

export interface TokenSigner {
  sign(scope: TokenScope): string
  /** `undefined` for anything this emulator did not issue, or that has expired. */
  verify(token: string): TokenScope | undefined
}

const tokenLifetimeSeconds = 6 * 60 * 60

function base64Url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

/**
 * Runtime tokens are JWTs. The clients only decode them, so any signature
 * would do for them; signing with a per-service secret lets the emulator tell
 * its own tokens from forged or stale ones, as the real service does.
 */
export function createTokenSigner(): TokenSigner {
  const secret = randomBytes(32)
  const signature = (signingInput: string): Buffer => createHmac('sha256', secret).update(signingInput).digest()

  return {
    sign(scope) {
      const now = Math.floor(Date.now() / 1000)
      const header = { typ: 'JWT', alg: 'HS256' }
      const payload = {
        // Same shape as the runner's token: several space-separated scopes.
        scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:${scope.runBackendId}:${scope.jobBackendId}`,
        ac: JSON.stringify([{ Scope: 'refs/heads/main', Permission: 3 }]),
        iss: 'results-service-emulator',
        aud: 'vso:results-service-emulator',
        iat: now,
        nbf: now - 60,
        exp: now + tokenLifetimeSeconds
      }
      const signingInput = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(payload))}`
      return `${signingInput}.${base64Url(signature(signingInput))}`
    },

    verify(token) {
      const parts = token.split('.')
      if (parts.length !== 3) return undefined
      const expected = signature(`${parts[0]}.${parts[1]}`)
      const given = Buffer.from(parts[2], 'base64url')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
      let payload: { scp?: unknown; exp?: unknown }
      try {
        payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as typeof payload
      } catch {
        return undefined
      }
      if (typeof payload.exp !== 'number' || payload.exp * 1000 < Date.now()) return undefined
      if (typeof payload.scp !== 'string') return undefined
      for (const claim of payload.scp.split(' ')) {
        const [name, runBackendId, jobBackendId, ...rest] = claim.split(':')
        if (name === 'Actions.Results' && runBackendId && jobBackendId && rest.length === 0) {
          return { runBackendId, jobBackendId }
        }
      }
      return undefined
    }
  }
}
