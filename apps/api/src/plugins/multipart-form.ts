import { BadRequestError, PayloadTooLargeError, type IncomingFile } from '@tailor/core';
import type { FastifyRequest } from 'fastify';

export interface ParsedForm {
  fields: Record<string, string[]>;
  files: IncomingFile[];
  /** Files over the per-file size limit, with the reason: reported per file, never stored. */
  oversized: Array<{ name: string; reason: string }>;
}

/**
 * Reads a multipart form: all fields (a field may repeat) and every file part, whatever its field name or order
 * (clients send `file` before or after `category`/`modelId`). Each file is held in memory up to the per-file limit so
 * it can be validated as an image before anything is written; bigger files are drained and reported.
 */
export async function readMultipartForm(request: FastifyRequest, opts: { fileField?: string } = {}): Promise<ParsedForm> {
  if (!request.isMultipart()) throw new BadRequestError('Expected a multipart/form-data body');
  const form: ParsedForm = { fields: {}, files: [], oversized: [] };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (opts.fileField && part.fieldname !== opts.fileField && part.fieldname !== `${opts.fileField}[]`) {
          part.file.resume();
          continue;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of part.file) chunks.push(chunk as Buffer);
        const name = part.filename || `file${form.files.length + form.oversized.length + 1}`;
        if (part.file.truncated) form.oversized.push({ name, reason: `file is larger than ${request.server.config.TAILOR_MAX_UPLOAD_BYTES} bytes` });
        else form.files.push({ filename: name, bytes: Buffer.concat(chunks) });
      } else {
        (form.fields[part.fieldname] ??= []).push(String(part.value));
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') {
      throw new PayloadTooLargeError(`Too many files in one request (limit ${request.server.config.TAILOR_MAX_FILES_PER_REQUEST}); nothing was stored`);
    }
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new PayloadTooLargeError('Too many form parts; nothing was stored');
    throw err;
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
