/** Pages for browsers (the explorers and their assets), each under its own Content-Security-Policy. */
import type { FastifyReply } from 'fastify';
import { sendFixedBody } from './compression.ts';

export function sendPage(
  reply: FastifyReply,
  contentType: string,
  contentSecurityPolicy: string,
  body: string | Buffer,
) {
  return sendFixedBody(
    reply.headers({ 'content-security-policy': contentSecurityPolicy, 'cache-control': 'no-cache' }).type(contentType),
    body,
  );
}
