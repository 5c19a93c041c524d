import './errors.ts';
import './database-connection.ts';
import './connectivity.ts';
import './schema-history.ts';
import './health-history.ts';
import './audit-event.ts';
import './connection-events.ts';
import './access.ts';
import './dialects.ts';
import { builder } from '../builder.ts';

export const schema = builder.toSchema({ sortSchema: true });
