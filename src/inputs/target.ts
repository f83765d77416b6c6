import type { RawInputs } from '../recipes/recipe.js'
import { APP_CHOICES, recipeById } from '../recipes/registry.js'
import type { StoreSettings } from '../store/settings.js'
import type { TransportSettings } from '../transport/settings.js'
import { parseStoreInputs } from './store.js'
import { parseTransportInputs } from './transport.js'
import type { InputReader } from '../kernel/input-reader.js'
import { readRecipeInputs } from './recipe.js'

/** What both actions read alike: the app, how to reach the host, where backups live, the recipe's inputs. */
export interface TargetInputs {
  app: string
  transport: TransportSettings
  store: StoreSettings
  recipeInputs: RawInputs
  lockTimeoutSeconds: number
}

export function parseTargetInputs(reader: InputReader, action: 'backup' | 'restore', options: { identityOnly?: boolean } = {}): TargetInputs {
  const app = reader.choice('app', APP_CHOICES)
  const transport = parseTransportInputs(reader, options)
  const store = parseStoreInputs(reader, action)
  const recipeInputs = readRecipeInputs(reader)
  // An explicit app's options are checked now; with `auto` they are checked once the app is found.
  if (app !== 'auto') recipeById(app).parseOptions(recipeInputs)
  const lockTimeoutSeconds = reader.integer('lock-timeout', { min: 1, max: 86_400 }) ?? 600
  return { app, transport, store, recipeInputs, lockTimeoutSeconds }
}
