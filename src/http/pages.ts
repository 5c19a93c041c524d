/** Pages for browsers (the explorers and their assets), each under its own Content-Security-Policy. */
import type { FastifyReply } from 'fastify';

export function sendPage(
  reply: FastifyReply,
  contentType: string,
  contentSecurityPolicy: string,
  body: string | Buffer,
) {
  return reply
    .headers({ 'content-security-policy': contentSecurityPolicy, 'cache-control': 'no-cache' })
    .type(contentType)
    .send(body);
}
