/** GET /api/v1/dialects: every kind of database, what it supports, and a JSON Schema of its URI's parameters. */
import { executeOperation } from './database-connections.ts';
import type { Caller, RunOperation } from './operations.ts';
import type { RestResponse } from './response.ts';

export const DIALECTS_PATH = '/api/v1/dialects';

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

const restDialect = (dialect: DialectNode) => ({
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

export function createDialectHandlers(run: RunOperation) {
  return {
    async dialects(caller: Caller): Promise<RestResponse> {
      const data = await executeOperation<{ dialects: DialectNode[] }>(run, 'dialects', {}, caller);
      return { status: 200, body: data.dialects.map(restDialect) };
    },
  };
}
