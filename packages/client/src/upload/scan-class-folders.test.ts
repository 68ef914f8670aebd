import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scanClassFolders } from './scan-class-folders';

/** Real folders and real symbolic links on disk: datasets are often assembled from links to files kept elsewhere. */
describe('scanClassFolders', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tailor-scan-'));
    const store = path.join(dir, 'store');
    await mkdir(path.join(store, 'bags'), { recursive: true });
    await writeFile(path.join(store, 'bags', 'b1.jpg'), 'x');
    await writeFile(path.join(store, 'bags', 'b2.png'), 'x');
    await writeFile(path.join(store, 'loose.jpg'), 'x');
    const root = path.join(dir, 'dataset');
    await mkdir(path.join(root, 'Coat'), { recursive: true });
    await writeFile(path.join(root, 'Coat', 'c1.jpg'), 'x');
    await symlink(path.join(store, 'loose.jpg'), path.join(root, 'Coat', 'c2.jpg')); // a linked file
    await symlink(path.join(store, 'gone.jpg'), path.join(root, 'Coat', 'c3.jpg')); // dangling: skipped
    await symlink(path.join(store, 'bags'), path.join(root, 'Bag')); // a linked class folder
    await symlink(path.join(store, 'nowhere'), path.join(root, 'Ghost')); // dangling folder link: not a class
    await symlink(path.join(store, 'loose.jpg'), path.join(root, 'top.jpg')); // a file in the root has no class
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('follows symlinked class folders and files, skips dangling links', async () => {
    const root = path.join(dir, 'dataset');
    const { categories, images } = await scanClassFolders(root);
    expect(categories).toEqual(['Bag', 'Coat']);
    expect(images).toEqual([
      { category: 'Bag', file: path.join(root, 'Bag', 'b1.jpg') },
      { category: 'Bag', file: path.join(root, 'Bag', 'b2.png') },
      { category: 'Coat', file: path.join(root, 'Coat', 'c1.jpg') },
      { category: 'Coat', file: path.join(root, 'Coat', 'c2.jpg') },
    ]);
  });
});
