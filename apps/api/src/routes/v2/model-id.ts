import { BadRequestError } from '@tailor/core';

/** NanoNets clients name the model in the path, in `?modelId=` / `?id=`, or in a form field: accept them all. */
export function pickModelId(...candidates: Array<string | string[] | undefined>): string {
  for (const c of candidates) {
    const v = Array.isArray(c) ? c[0] : c;
    if (v && v.trim()) return v.trim();
  }
  throw new BadRequestError('modelId is required', [{ reason: 'modelId', message: 'Pass modelId in the path, the query string or the form' }]);
}
