/**
 * Files out of a dropped or picked folder, each with its path inside it. A folder of class folders
 * (`train/Bag/1.jpg`) and class folders dropped side by side (`Bag/1.jpg`, `Sandal/2.jpg`) read the same way: a
 * file's class is the folder it sits in, as the CLI's `tailor upload` reads them.
 */

/** Hidden files (.DS_Store, ._1.jpg from macOS archives) are never training images. */
const isHidden = (path) => path.split('/').some((part) => part.startsWith('.'));

/** `Bag` for `train/Bag/1.jpg`; undefined for a file dropped on its own. */
export function classOf(path) {
  const parts = path.split('/');
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

/** From `<input type=file webkitdirectory>` (or a plain multiple-file input): paths as the browser gives them. */
export function filesFromInput(input) {
  return [...(input.files ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name })).filter((f) => !isHidden(f.path));
}

/**
 * From a drop: folders are walked (the DataTransfer's entries must be taken before the first await, after which the
 * browser empties it); plain files keep their names.
 */
export async function filesFromDrop(dataTransfer) {
  const entries = [...(dataTransfer.items ?? [])].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.length) return [...(dataTransfer.files ?? [])].map((file) => ({ file, path: file.name }));
  const out = [];
  for (const entry of entries) await walk(entry, '', out);
  return out.filter((f) => !isHidden(f.path));
}

async function walk(entry, prefix, out) {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    out.push({ file: await new Promise((resolve, reject) => entry.file(resolve, reject)), path });
    return;
  }
  const reader = entry.createReader();
  // readEntries hands out at most ~100 entries per call: read until it returns none.
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    for (const child of batch) await walk(child, path, out);
  }
}

/** The class folders among the files, in a stable order. */
export function classNames(files) {
  return [...new Set(files.map((f) => classOf(f.path)).filter(Boolean))].sort((a, b) => a.localeCompare(b));
}
