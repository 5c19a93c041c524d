/** How the server reads JSON bodies. */
import { ProblemResponse, problem } from '../rest/problem.ts';
import type { HttpApp } from './fastify.ts';

/**
 * JSON bodies parsed as they are: keys such as __proto__ kept as plain data (stored as text). An
 * empty body is no body, whatever the method: clients with default headers send
 * `Content-Type: application/json` with nothing after it (the spec's DELETE example does).
 */
export function parseJsonBodies(app: HttpApp) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    if ((text as string).trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text as string));
    } catch {
      // The parser's own message quotes the body, which may hold a password: say only what is wrong.
      done(new ProblemResponse(problem('malformed_json', 'The request body is not valid JSON.')), undefined);
    }
  });
}
