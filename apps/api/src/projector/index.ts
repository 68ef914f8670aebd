export { EmbeddingService, type Embedder, type EmbedderLoader, type EmbeddingServiceOptions } from './embedding-service';
export { encodeEmbeddingSet, decodeEmbeddingSet, type EmbeddingSet } from './embedding-set';
export { metadataTsv, projectorConfigJson, projectorConfigPbtxt, tensorTsv, type ProjectorNames } from './projector-files';
export { buildProjectorZip } from './projector-export';
export { makeSprite, type Sprite } from './sprite';
export { writeZip, type ZipEntry } from '@tailor/storage';
export { ProjectorGate } from './projector-gate';
