import sharp from 'sharp';
import { makeSprite } from './sprite';

/** A real PNG of one colour. */
const swatch = (r: number, g: number, b: number, width = 40, height = 20) =>
  sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).png().toBuffer();

describe('makeSprite', () => {
  it('lays thumbnails out row-major in a square grid, letterboxed on white', async () => {
    const colours: Array<[number, number, number]> = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [0, 0, 0], [200, 100, 0]];
    const files = await Promise.all(colours.map(([r, g, b]) => swatch(r, g, b)));
    const sprite = await makeSprite(files.length, async (i) => files[i]!, { maxThumb: 16 });
    expect(sprite).toMatchObject({ thumb: 16, columns: 3 });
    const { data, info } = await sharp(sprite.png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([48, 32]);
    const pixel = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    // The centre of each cell has its image's colour; a 2:1 image leaves white bands above and below.
    colours.forEach((c, i) => expect(pixel((i % 3) * 16 + 8, Math.floor(i / 3) * 16 + 8)).toEqual(c));
    expect(pixel(8, 1)).toEqual([255, 255, 255]);
    expect(pixel(2 * 16 + 8, 16 + 8)).toEqual([255, 255, 255]); // the empty sixth cell
  });

  it('loads the originals a few at a time, not all at once', async () => {
    const file = await swatch(10, 20, 30, 300, 300);
    let open = 0;
    let most = 0;
    const sprite = await makeSprite(40, async () => {
      open++;
      most = Math.max(most, open);
      await new Promise((r) => setImmediate(r));
      open--;
      return file;
    });
    expect(most).toBeLessThanOrEqual(4);
    expect(sprite.columns).toBe(7);
  });

  it('stops between images when its signal aborts', async () => {
    const file = await swatch(1, 2, 3);
    const controller = new AbortController();
    let loads = 0;
    const work = makeSprite(1000, async () => {
      if (++loads === 10) controller.abort(new Error('deadline'));
      return file;
    }, { signal: controller.signal });
    await expect(work).rejects.toThrow('deadline');
    expect(loads).toBeLessThan(20);
  });
});
