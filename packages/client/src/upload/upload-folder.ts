import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TailorError } from '../errors';
import type { TailorClient } from '../tailor-client';
import { scanClassFolders, type LocalImage } from './scan-class-folders';

export interface UploadProgress {
  total: number;
  /** Images already on the server before this call (same sha256), not sent again. */
  skipped: number;
  stored: number;
  duplicates: number;
  rejected: number;
}

export interface UploadFolderOptions {
  /** Parallel requests (default 4). */
  concurrency?: number;
  /** Images per request (default 8). */
  batchSize?: number;
  onProgress?: (p: UploadProgress) => void;
}

export interface UploadFolderResult extends UploadProgress {
  categories: string[];
  rejections: Array<{ file: string; message: string }>;
}

/**
 * Uploads a folder of class sub-folders into a model. Resumable: images whose sha256 the model already has are
 * skipped, so re-running after an interruption sends only what is missing. Classes that are not categories of the
 * model are refused before anything is sent (a typo in a folder name would otherwise fail image by image).
 */
export async function uploadFolder(client: TailorClient, modelId: string, root: string, options: UploadFolderOptions = {}): Promise<UploadFolderResult> {
  const { categories, images } = await scanClassFolders(root);
  if (images.length === 0) throw new TailorError(`no images found in class sub-folders of ${root}`);
  const model = await client.getModel(modelId);
  const known = new Set(model.categories.map((c) => c.name));
  const unknown = categories.filter((c) => !known.has(c) && images.some((i) => i.category === c));
  if (unknown.length) {
    throw new TailorError(`folder classes not in model ${modelId}: ${unknown.join(', ')} (model categories: ${[...known].join(', ')})`);
  }

  const onServer = new Set<string>();
  for await (const img of client.allImages(modelId)) onServer.add(`${img.category}\u0000${img.sha256}`);

  const progress: UploadProgress = { total: images.length, skipped: 0, stored: 0, duplicates: 0, rejected: 0 };
  const rejections: UploadFolderResult['rejections'] = [];
  // Only hashes are kept, not bytes: a large dataset is read again batch by batch when it is sent.
  const pending: LocalImage[] = [];
  for (const img of images) {
    const sha = createHash('sha256').update(await readFile(img.file)).digest('hex');
    if (onServer.has(`${img.category}\u0000${sha}`)) progress.skipped++;
    else pending.push(img);
  }
  options.onProgress?.({ ...progress });

  // Batches never mix categories: the upload call takes one category per request.
  const batchSize = options.batchSize ?? 8;
  const batches: Array<typeof pending> = [];
  for (const img of pending) {
    const last = batches[batches.length - 1];
    if (last && last.length < batchSize && last[0]!.category === img.category) last.push(img);
    else batches.push([img]);
  }
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const res = await client.uploadImages(
        modelId,
        batch[0]!.category,
        await Promise.all(batch.map(async (b) => ({ name: path.basename(b.file), bytes: await readFile(b.file) }))),
      );
      progress.stored += res.stored;
      progress.duplicates += res.duplicates;
      progress.rejected += res.rejected;
      for (const x of res.results) if (x.status === 'rejected') rejections.push({ file: path.join(batch[0]!.category, x.file), message: x.message ?? 'rejected' });
      options.onProgress?.({ ...progress });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, batches.length)) }, worker));
  return { ...progress, categories, rejections };
}
