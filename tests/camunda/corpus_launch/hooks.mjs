// Module resolution hooks for the corpus' example workers (see register.mjs).

const here = new URL(".", import.meta.url);
const clientShim = new URL("client.mjs", here).href;
const openStub = new URL("open.mjs", here).href;
// The real client is installed by scripts/setup-node in tests/camunda/js.
const installed = new URL("../js/package.json", here).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "camunda-external-task-client-js") {
    if (context.parentURL === clientShim) {
      return nextResolve(specifier, { ...context, parentURL: installed });
    }
    return { url: clientShim, shortCircuit: true };
  }
  if (specifier === "open") {
    return { url: openStub, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
