/** The two Prisma schemas, each a provider-specific header above the shared model. */

const header = (
  provider: 'sqlite' | 'postgresql',
  extraGenerators: string,
) => `// Generated from prisma/model.prisma by \`npm run generate\`: edit that file, not this one.

datasource db {
  provider = "${provider}"
}

generator client {
  provider               = "prisma-client"
  output                 = "../../src/generated/${provider}"
  moduleFormat           = "esm"
  importFileExtension    = "ts"
  // The query compiler's smaller build: about 30 MB less memory per process. Query plans are
  // cached, so its slower compiling is paid once per query shape.
  compilerBuild          = "small"
}
${extraGenerators}`;

// The Pothos types only need one client's types; both clients share the model.
const pothosGenerator = `
generator pothos {
  provider          = "prisma-pothos-types"
  clientOutput      = "./sqlite/client.ts"
  output            = "../../src/generated/pothos-types.ts"
  generateDatamodel = true
}
`;

export function renderProviderSchemas(model: string): { path: string; text: string }[] {
  return [
    { path: 'prisma/sqlite/schema.prisma', text: `${header('sqlite', pothosGenerator)}\n${model}` },
    { path: 'prisma/postgresql/schema.prisma', text: `${header('postgresql', '')}\n${model}` },
  ];
}
