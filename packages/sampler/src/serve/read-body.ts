/** Reads a JSON-object request body, refusing one larger than `limit` bytes (413) or not a JSON object (400). */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error';

function tooLarge(limit: number): HttpError {
  return new HttpError(
    `the request body is larger than this server accepts (${limit} bytes; r1-serve --max-body-bytes)`,
    413,
    null,
    'invalid_request_error',
    'request_too_large',
  );
}

export function readJsonBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume(); // discard it; the answer closes the connection
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(tooLarge(limit));
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (over) return;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        const parsed = JSON.parse(text) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          reject(new HttpError('the request body must be a JSON object'));
        } else resolve(parsed as Record<string, unknown>);
      } catch (error) {
        reject(new HttpError(`the request body is not valid JSON: ${(error as Error).message}`));
      }
    });
  });
}
