// Module resolution hook for running from the TypeScript sources: every `@shadowdiff/*` package
// then resolves to its src/ (the `@shadowdiff/source` export condition) instead of its compiled
// dist/. Registered by ./source-mode.mjs.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, '@shadowdiff/source'] });
}
