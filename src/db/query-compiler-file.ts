/**
 * How the generated Prisma clients load their query compiler (a WebAssembly module), rewritten by
 * `npm run generate` (src/cli/generate-prisma.ts).
 *
 * As Prisma generates it, a client imports the module as a base64 string held in JavaScript: the
 * string stays in the heap for the life of the process, twice (the module's source and its value),
 * about 4 MB. The rewritten client reads the same bytes from a file written next to it at generate
 * time, and has V8 compile them with its baseline compiler (Liftoff) only: the optimizing tier
 * would take about 13 MB more for code that runs once per query shape (Prisma caches the plans).
 */

/** The generated text this module replaces: the function that decodes the base64 module. */
const BASE64_LOADER =
  /getQueryCompilerWasmModule: async \(\) => \{\n\s*const \{ wasm \} = await import\("([^"]+\.wasm-base64\.mjs)"\)\n\s*return await decodeBase64AsWasm\(wasm\)\n\s*\}/;

/** The file that holds a provider's query compiler, from the project's root. */
export const queryCompilerFile = (provider: string) => `src/generated/${provider}/query-compiler.wasm`;

export class GeneratedClientChangedError extends Error {}

/**
 * The module the generated client (internal/class.ts) imports its query compiler from, as base64:
 * generate-prisma.ts decodes it into queryCompilerFile.
 */
export function base64ModuleOf(classSource: string): string {
  const match = BASE64_LOADER.exec(classSource);
  if (!match?.[1])
    throw new GeneratedClientChangedError(
      'the generated Prisma client no longer loads its query compiler as src/db/query-compiler-file.ts expects: ' +
        'update that module for this Prisma version',
    );
  return match[1];
}

/**
 * The generated client's text with the loader of its query compiler replaced by one that reads
 * queryCompilerFile(provider) and compiles it with Liftoff only. The file is found from the
 * project's root, four folders above internal/class.ts both in src/generated/ and in dist/generated/.
 */
export function loadingFromFile(classSource: string, provider: string): string {
  base64ModuleOf(classSource);
  const loader = `getQueryCompilerWasmModule: async () => {
    // Rewritten by src/cli/generate-prisma.ts (see src/db/query-compiler-file.ts): the module is read
    // from its file rather than held in the heap as base64, and compiled by Liftoff alone, whose
    // tier V8 fixes for the module when it compiles it.
    const { readFile } = await import('node:fs/promises')
    const v8 = await import('node:v8')
    const bytes = await readFile(new URL(${JSON.stringify(`../../../../${queryCompilerFile(provider)}`)}, import.meta.url))
    v8.setFlagsFromString('--liftoff-only')
    try {
      return new WebAssembly.Module(bytes)
    } finally {
      v8.setFlagsFromString('--no-liftoff-only')
    }
  }`;
  return classSource.replace(BASE64_LOADER, () => loader);
}
