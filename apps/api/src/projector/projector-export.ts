import { ConflictError, type Services } from '@tailor/core';
import type { EmbeddingSet } from './embedding-set';
import { metadataTsv, projectorConfigJson, projectorConfigPbtxt, tensorTsv, type ProjectorNames } from './projector-files';
import { makeSprite } from './sprite';
import { writeZip } from '@tailor/storage';

/**
 * The zip a user unpacks into a TensorBoard log dir (`tensorboard --logdir .`, Projector tab): tensors, metadata,
 * sprite and `projector_config.pbtxt` (plus the JSON config the standalone projector loads).
 */
export async function buildProjectorZip(
  services: Services,
  accountId: string,
  modelId: string,
  version: { number: number; createdAt: Date },
  set: EmbeddingSet,
  signal?: AbortSignal,
): Promise<Buffer> {
  // Each original is read when its thumbnail is made, never all at once.
  const sprite = await makeSprite(
    set.items.length,
    async (i) => {
      const found = await services.images.getBytes(accountId, modelId, set.items[i]!.id);
      if (!found) throw new ConflictError(`Image ${set.items[i]!.id} disappeared while the projector export was made; try again`);
      return found.bytes;
    },
    { signal },
  );
  const names: ProjectorNames = {
    tensorName: `model-${modelId}-v${version.number}`,
    tensorPath: 'tensors.tsv',
    metadataPath: 'metadata.tsv',
    spritePath: 'sprite.png',
    thumb: sprite.thumb,
  };
  return writeZip(
    [
      { name: 'projector_config.pbtxt', data: Buffer.from(projectorConfigPbtxt(set, names)) },
      { name: 'projector_config.json', data: Buffer.from(projectorConfigJson(set, names)) },
      { name: names.tensorPath, data: Buffer.from(tensorTsv(set)) },
      { name: names.metadataPath, data: Buffer.from(metadataTsv(set)) },
      { name: names.spritePath, data: sprite.png },
    ],
    version.createdAt,
  );
}
