/** GET /api/v1/dialects in REST's form: every kind of database, what it supports, and a JSON Schema of its URI's parameters. */

export const DIALECTS_PATH = '/api/v1/dialects';

export const DIALECT_FIELDS =
  'name label defaultPort schemes supportsSchemas supportsTest supportsDiscovery supportsSsh supportsTls ' +
  'fileDatabase parametersSchema';

interface DialectNode {
  name: string;
  label: string;
  defaultPort: number | null;
  schemes: string[];
  supportsSchemas: boolean;
  supportsTest: boolean;
  supportsDiscovery: boolean;
  supportsSsh: boolean;
  supportsTls: boolean;
  fileDatabase: boolean;
  parametersSchema: Record<string, unknown>;
}

export const restDialect = (dialect: DialectNode) => ({
  name: dialect.name.toLowerCase(),
  label: dialect.label,
  default_port: dialect.defaultPort,
  schemes: dialect.schemes,
  supports: {
    schemas: dialect.supportsSchemas,
    test: dialect.supportsTest,
    discovery: dialect.supportsDiscovery,
    ssh: dialect.supportsSsh,
    tls: dialect.supportsTls,
    file_database: dialect.fileDatabase,
  },
  parameters: dialect.parametersSchema,
});
