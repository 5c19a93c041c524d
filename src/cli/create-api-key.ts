/**
 * `npm run create-api-key -- --name etl --scopes connections:read,connections:write`
 * Prints a new key (shown once: store it in the client's secret store) and the
 * entry to add to API_KEYS or API_KEYS_FILE, which holds only its hash.
 */
import { parseArgs } from 'node:util';
import { generateApiKey, hashApiKey, SCOPES, type Scope } from '../auth/api-keys.ts';

const { values } = parseArgs({
  options: { name: { type: 'string' }, scopes: { type: 'string', default: 'connections:read' } },
});
const scopes = (values.scopes ?? '').split(',').map((scope) => scope.trim());
const unknown = scopes.filter((scope) => !SCOPES.includes(scope as Scope));
if (!values.name || unknown.length > 0 || scopes.length === 0) {
  console.error(
    `usage: npm run create-api-key -- --name NAME --scopes ${SCOPES.join(',')}` +
      (unknown.length ? `\nunknown scope(s): ${unknown.join(', ')}` : ''),
  );
  process.exit(2);
}
const key = generateApiKey();
console.log(`API key (shown once, give it to the client):\n  ${key}\n`);
console.log('Entry for API_KEYS (a JSON array) or the API_KEYS_FILE file:');
console.log(`  ${JSON.stringify({ name: values.name, hash: hashApiKey(key), scopes })}`);
