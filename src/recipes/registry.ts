import { InputError } from '../kernel/errors.js'
import type { Transport } from '../transport/transport.js'
import type { AnyRecipe, RawInputs } from './recipe.js'
import { seatableRecipe } from './seatable.js'
import { tabbyRecipe } from './tabby.js'

/** Every supported application, in the order `app: auto` tries them. */
export const RECIPES: readonly AnyRecipe[] = [tabbyRecipe, seatableRecipe]

export const APP_CHOICES = ['auto', ...RECIPES.map(recipe => recipe.id)]

export function recipeById(id: string, input = 'app'): AnyRecipe {
  const recipe = RECIPES.find(candidate => candidate.id === id)
  if (!recipe) {
    throw new InputError(input, `"${id}" is not a supported application.`, `use one of: ${APP_CHOICES.join(', ')}.`)
  }
  return recipe
}

/** A recipe with its options, parsed once from the inputs. */
export interface RecipeChoice {
  recipe: AnyRecipe
  options: unknown
}

/** The recipes a run may use, each with its options parsed once: the named app, or with `auto` every recipe (detection picks one). */
export function chooseRecipes(app: string, inputs: RawInputs): RecipeChoice[] {
  return (app === 'auto' ? RECIPES : [recipeById(app)]).map(recipe => ({ recipe, options: recipe.parseOptions(inputs) }))
}

/** The only candidate, or with `app: auto` the one recipe that recognises the host. */
export async function detectRecipe(host: Transport, candidates: readonly RecipeChoice[]): Promise<RecipeChoice & { evidence: string }> {
  if (candidates.length === 1) return { ...candidates[0], evidence: 'set by app' }
  const found: (RecipeChoice & { evidence: string })[] = []
  for (const candidate of candidates) {
    const evidence = await candidate.recipe.detect(host, candidate.options)
    if (evidence) found.push({ ...candidate, evidence })
  }
  if (found.length === 1) return found[0]
  if (found.length === 0) {
    throw new InputError('app', `no supported application was found on ${host.label}.`, `set \`app\` to one of ${RECIPES.map(recipe => recipe.id).join(', ')} and its root input (e.g. tabby-root).`)
  }
  throw new InputError('app', `several applications were found on ${host.label}: ${found.map(item => `${item.recipe.id} (${item.evidence})`).join('; ')}.`, 'set `app` to the one to back up.')
}
