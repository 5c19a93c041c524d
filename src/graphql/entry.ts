/**
 * The GraphQL layer's entry for the REST adapter, the one module of the layers below that src/rest/
 * imports (dependency-cruiser holds it): the execution entry (the Yoga server and the trusted
 * documents its operations are validated into), the request context an operation runs with, and
 * the facts of the schema that REST's wire format spells its own way (the connection's fields and
 * their REST names, the enums' values, the page limits, the error codes' extensions). Each fact
 * stays declared once, where the schema reads it from; REST reaches it here.
 */
export { AUDIT_ACTIONS } from '../audit/events.ts';
export { principalKey } from '../auth/api-keys.ts';
export { FORBIDDEN } from '../auth/forbidden.ts';
export { GRANT_SHAPE, SCOPES, WORKSPACE_NAME_PATTERN } from '../auth/grants.ts';
export {
  alternativesOf,
  CONNECTION_FIELDS,
  type ConnectionFieldName,
  type FieldDeclaration,
  GRAPHQL_NAME_OF_REST,
  INPUT_FIELDS,
  isRequiredInput,
  missingMessage,
  REST_FIELDS,
  REST_NAME_OF,
  WRITTEN_FIELDS,
} from '../connections/fields/fields.ts';
export { HEALTH_STATUSES, type HealthStatus } from '../connections/fields/health.ts';
export type { SettingsGroup } from '../connections/fields/values.ts';
export { NotFoundError } from '../connections/rules/errors.ts';
export { fieldPath } from '../connections/rules/input.ts';
export { DISCOVERY_FIELDS } from '../connectivity/drivers/driver.ts';
export { TEST_FAILURES } from '../connectivity/errors.ts';
export type { RequestContext } from '../context.ts';
export { DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS } from '../db/errors.ts';
export { DIALECT_NAMES, type DialectName } from '../dialects/registry.ts';
export { scopeEnumValue } from '../schema/access.ts';
export { AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX } from '../schema/audit-event.ts';
export { isNumberedCursor } from '../schema/numbered-cursors.ts';
export { SCHEMA_CHANGES_PAGE_DEFAULT, SCHEMA_CHANGES_PAGE_MAX } from '../schema/schema-history.ts';
export { SCHEMA_CHANGE_KIND_NAMES } from '../schema-history/kinds.ts';
export { SNAPSHOT_MEANINGS } from '../schema-history/store.ts';
export { trustedDocuments, type Yoga } from './yoga.ts';
