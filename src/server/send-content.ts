import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ReelforgeError } from '../errors.js';
import type { ByteRange } from '../storage/blob-store.js';
import { contentDisposition, parseRange } from './range.js';

export interface Content {
  /** Opens the bytes (or a range of them) only when a body is sent. */
  open(range?: ByteRange): Promise<Readable>;
  bytes: number;
  /** SHA-256 of the content: a strong ETag that never changes for the same bytes. */
  hash: string;
  mime: string;
  filename: string;
}

/**
 * Sends stored content with HTTP Range support (206 / 416), a strong ETag (304 on If-None-Match,
 * If-Range honoured), and a download file name that cannot break the header.
 */
export async function sendContent(request: FastifyRequest, reply: FastifyReply, c: Content) {
  const etag = `"${c.hash}"`;
  reply
    .header('accept-ranges', 'bytes')
    .header('etag', etag)
    .header('cache-control', 'private, max-age=0, must-revalidate')
    .header('content-disposition', contentDisposition(c.filename))
    .header('x-content-type-options', 'nosniff');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch?.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    return reply.code(304).send();
  }
  const ifRange = request.headers['if-range'];
  const range =
    ifRange !== undefined && ifRange !== etag
      ? { kind: 'full' as const }
      : parseRange(request.headers.range, c.bytes);
  if (range.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${c.bytes}`);
    throw new ReelforgeError(
      'RANGE_NOT_SATISFIABLE',
      `the range "${request.headers.range}" is outside the ${c.bytes} bytes of content`,
      { status: 416, retryable: false, details: { size: c.bytes } },
    );
  }
  const head = request.method === 'HEAD';
  if (range.kind === 'partial') {
    reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${c.bytes}`)
      .header('content-length', String(range.end - range.start + 1))
      .type(c.mime);
    return reply.send(head ? undefined : await c.open({ start: range.start, end: range.end }));
  }
  reply.code(200).header('content-length', String(c.bytes)).type(c.mime);
  // An empty range request on empty content cannot reach here (unsatisfiable); empty bodies are fine.
  return reply.send(head || c.bytes === 0 ? undefined : await c.open());
}
