/** Checking real responses against the OpenAPI document of the REST facade. */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { OPENAPI_DOCUMENT } from '../../src/rest/openapi.ts';
import type { Client } from './service.ts';

export type Reply = Awaited<ReturnType<Client['request']>>;

export const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(OPENAPI_DOCUMENT, 'openapi.json');
const pointer = (...parts: string[]) => parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** Checks one real response against the document; returns the key of what it covered. */
export function conform(template: string, method: string, reply: Reply): string {
  const operations = (OPENAPI_DOCUMENT.paths as Record<string, Record<string, any>>)[template];
  const operation = operations?.[method.toLowerCase()];
  expect(operation, `${method} ${template} is documented`).toBeDefined();
  const documented = operation.responses[reply.status];
  expect(documented, `${method} ${template} documents status ${reply.status}`).toBeDefined();
  // A response documented without content (304 Not Modified) has no body.
  if (!documented.content) expect(reply.text, `${method} ${template} ${reply.status} has no body`).toBe('');
  else checkBody(template, method, reply, documented);
  for (const [name, header] of Object.entries<any>(documented.headers ?? {})) {
    const value = reply.headers.get(name);
    if (header.required) expect(value, `${method} ${template} ${reply.status}: header ${name}`).not.toBeNull();
    if (value !== null) expect(ajv.validate(header.schema, value), `header ${name}: ${value}`).toBe(true);
  }
  return `${method} ${template} ${reply.status}`;
}

function checkBody(template: string, method: string, reply: Reply, documented: any): void {
  const contentType = reply.headers.get('content-type') ?? '';
  const mediaType = Object.keys(documented.content ?? {}).find((type) => contentType.startsWith(type));
  expect(mediaType, `${method} ${template} ${reply.status}: content type ${contentType}`).toBeDefined();
  const schemaRef = `openapi.json#/${pointer('paths', template, method.toLowerCase(), 'responses', String(reply.status), 'content', mediaType as string, 'schema')}`;
  const valid = ajv.validate({ $ref: schemaRef }, reply.body);
  expect(valid ? [] : ajv.errors, `${method} ${template} ${reply.status} body`).toEqual([]);
  if (mediaType === 'application/problem+json') {
    expect(documented.description, `${method} ${template} ${reply.status} lists its code`).toContain(
      `\`${reply.body.code}\``,
    );
  }
}

// PostgreSQL serves as the real database a connection points to (required under CI).
