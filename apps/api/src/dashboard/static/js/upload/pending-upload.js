/**
 * Files chosen in the "New model" form (a folder of class folders) wait here while the model is created, then the
 * model's Images tab uploads them. Memory only: File objects cannot outlive the page, and a reload simply asks again.
 */
const pending = new Map();

export const holdFiles = (modelId, files) => pending.set(modelId, files);

export function takeFiles(modelId) {
  const files = pending.get(modelId);
  pending.delete(modelId);
  return files;
}
