import { imageUrl } from '../api.js';
import { h } from '../dom.js';

/** An <img> for an uploaded image; its blob URL arrives asynchronously (the bytes need the Authorization header). */
export function thumbnail(modelId, imageId, caption) {
  const img = h('img.thumb', { alt: caption ?? '', title: caption ?? '', dataset: { imageId } });
  imageUrl(modelId, imageId).then(
    (url) => {
      img.src = url;
    },
    () => img.classList.add('thumb-error'),
  );
  return img;
}
