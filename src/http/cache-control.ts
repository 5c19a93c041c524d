/** What a request says of caches: `Cache-Control: no-cache` (or `max-age=0`, or HTTP/1.0's `Pragma: no-cache`) asks for what the database holds now. */
import type { IncomingHttpHeaders } from 'node:http';

export function wantsFresh(headers: IncomingHttpHeaders): boolean {
  const directives = `${headers['cache-control'] ?? ''},${headers.pragma ?? ''}`.toLowerCase();
  return /(^|[\s,])(no-cache|max-age\s*=\s*0)(?=$|[\s,])/.test(directives);
}
