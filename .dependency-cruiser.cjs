/**
 * `npm run check` fails on an import cycle (type imports included) or an import that points up
 * the layers: HTTP → REST adapter → GraphQL schema → application → domain → store.
 * The entry points (the server, the CLIs, the provisioning file applied at start, the schedule of
 * health checks) are the top. The application layer (src/commands/) holds the commands, one
 * module per table; below the domain, the store holds one module per table (src/db/tables/).
 * Cross-cutting modules (the catalogue of error codes, the logger, configuration
 * errors, validation errors) may be imported from any layer.
 */
const LAYERS = [
  { name: 'http', path: '^src/(http/|main\\.ts$|service\\.ts$|wiring\\.ts$|config\\.ts$|cli/|provisioning/|health/)' },
  { name: 'rest', path: '^src/rest/' },
  { name: 'graphql', path: '^src/(graphql/|schema/|builder\\.ts$|context\\.ts$)' },
  { name: 'application', path: '^src/commands/' },
  { name: 'domain', path: '^src/(connections|secrets|connectivity|dialects|auth|audit|events|schema-history)/' },
  { name: 'store', path: '^src/(db|generated)/' },
];

const upward = LAYERS.flatMap((lower, index) =>
  LAYERS.slice(0, index).map((upper) => ({
    name: `${lower.name}-imports-${upper.name}`,
    comment: `The ${lower.name} layer may not import the ${upper.name} layer above it.`,
    severity: 'error',
    from: { path: lower.path },
    to: { path: upper.path },
  })),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles between files, type imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      comment: 'Import cycles between folders: each folder points one way to the others.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'cross-cutting-imports-a-layer',
      comment: 'Modules every layer imports may themselves import only what the lowest layers may.',
      severity: 'error',
      from: { path: '^src/(error-codes|config-error|logger|validation)\\.ts$' },
      to: {
        path: '^src/(http|rest|graphql|schema|commands|connections|connectivity|dialects|auth|audit|events|health|schema-history|db)/',
      },
    },
    {
      name: 'rest-beyond-graphql-entry',
      comment:
        "REST is an adapter over GraphQL and nothing else: src/rest/ imports its own helpers, the GraphQL layer's " +
        'entry (src/graphql/entry.ts: the execution entry and the facts of the schema) and the cross-cutting modules.',
      severity: 'error',
      from: { path: '^src/rest/' },
      to: {
        path: '^src/',
        pathNot: '^src/(rest/|graphql/entry\\.ts$|(error-codes|validation|logger|config-error)\\.ts$)',
      },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
