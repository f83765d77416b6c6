import { APP_CHOICES, chooseRecipes, type RecipeChoice } from '../recipes/registry.js'
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
  /** The app's recipe with its options, or with `app: auto` every recipe with its own: parsed here, once. */
  recipes: RecipeChoice[]
  lockTimeoutSeconds: number
}

export function parseTargetInputs(reader: InputReader, action: 'backup' | 'restore', options: { identityOnly?: boolean } = {}): TargetInputs {
  const app = reader.choice('app', APP_CHOICES)
  const transport = parseTransportInputs(reader, options)
  const store = parseStoreInputs(reader, action)
  // Every recipe that may run has its options checked now, before anything connects.
  const recipes = chooseRecipes(app, readRecipeInputs(reader))
  const lockTimeoutSeconds = reader.integer('lock-timeout', { min: 1, max: 86_400 }) ?? 600
  return { app, transport, store, recipes, lockTimeoutSeconds }
}
