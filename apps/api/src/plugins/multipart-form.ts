import { AppError, BadRequestError, PayloadTooLargeError, type IncomingFile } from '@tailor/core';
import type { FastifyRequest } from 'fastify';
import { reserveChunk, reserveDeclaredBody } from './inflight-bytes';

export interface ParsedForm {
  fields: Record<string, string[]>;
  files: IncomingFile[];
  /** Files over the per-file size limit, with the reason: reported per file, never stored. */
  oversized: Array<{ name: string; reason: string }>;
}

/** Busboy counts text sent as file parts (see `isTextPart`) as files; this much headroom lets them through its limit. */
export const TEXT_PART_SLACK = 16;

/** The names under which clients send the image files themselves. */
const FILE_FIELDS = new Set(['file', 'file[]']);

/**
 * A file part that is really a text field. Python `requests` sends `files={'modelId': ('', id)}` — the NanoNets
 * tutorial's own idiom — as a part with `filename=""`; Node's FormData sends a Blob appended with an empty name as an
 * `application/octet-stream` part with no filename. Busboy calls both files. Only the file field keeps a nameless
 * part as a file (a nameless image is still an image).
 */
function isTextPart(part: { fieldname: string; filename?: string }): boolean {
  return !part.filename && !FILE_FIELDS.has(part.fieldname);
}

/**
 * Reads a multipart form: all fields (a field may repeat) and every file part, whatever its field name or order
 * (clients send `file` before or after `category`/`modelId`). Each file is held in memory up to the per-file limit so
 * it can be validated as an image before anything is written; bigger files are drained and reported. What is held
 * counts against the process's in-flight byte budget (TAILOR_MAX_INFLIGHT_UPLOAD_BYTES) until the response is sent. A body that
 * is not valid multipart is the client's fault (400), never a 500.
 */
export async function readMultipartForm(request: FastifyRequest): Promise<ParsedForm> {
  if (!request.isMultipart()) throw new BadRequestError('Expected a multipart/form-data body');
  const { TAILOR_MAX_UPLOAD_BYTES: maxBytes, TAILOR_MAX_FILES_PER_REQUEST: maxFiles } = request.server.config;
  const tooMany = () => new PayloadTooLargeError(`Too many files in one request (limit ${maxFiles}); nothing was stored`);
  const form: ParsedForm = { fields: {}, files: [], oversized: [] };
  // Memory: the body's bytes are reserved from the process's in-flight budget before they are held (503 past it).
  const reserved = reserveDeclaredBody(request);
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        (form.fields[part.fieldname] ??= []).push(String(part.value));
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of part.file) {
        if (!reserved) reserveChunk(request, (chunk as Buffer).length);
        chunks.push(chunk as Buffer);
      }
      if (isTextPart(part)) {
        (form.fields[part.fieldname] ??= []).push(Buffer.concat(chunks).toString('utf8'));
        continue;
      }
      if (form.files.length + form.oversized.length >= maxFiles) throw tooMany();
      const name = part.filename || `file${form.files.length + form.oversized.length + 1}`;
      if (part.file.truncated) form.oversized.push({ name, reason: `file is larger than ${maxBytes} bytes` });
      else form.files.push({ filename: name, bytes: Buffer.concat(chunks) });
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const { code, message } = err as { code?: string; message?: string };
    if (code === 'FST_FILES_LIMIT') throw tooMany();
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new PayloadTooLargeError('Too many form parts; nothing was stored');
    // Busboy's parse errors (no boundary, truncated body, bad part headers) carry no status; all are bad input.
    throw new BadRequestError('Malformed multipart/form-data body; nothing was stored', [
      { reason: 'body', message: `Malformed multipart/form-data body: ${message?.slice(0, 200) || 'it could not be parsed'}` },
    ]);
  }
  return form;
}

export function field(form: ParsedForm, name: string): string | undefined {
  return form.fields[name]?.[0];
}

/** 200 when nothing failed, `partial` (202 on v2, 207 on v1) when some did, 400 when all did. */
export function partialStatus<P extends number>(failed: number, total: number, partial: P): 200 | P | 400 {
  return failed === 0 ? 200 : failed < total ? partial : 400;
}
