import sharp from 'sharp';

/** TensorBoard's projector reads sprites up to 8192 x 8192 pixels. */
const MAX_SPRITE_SIDE = 8192;

export interface Sprite {
  png: Buffer;
  /** Side of one (square) thumbnail in pixels. */
  thumb: number;
  columns: number;
}

/**
 * The projector's sprite: thumbnails in a square grid, row-major in point order, as the projector expects
 * (`ceil(sqrt(n))` columns). Each image is letterboxed into its cell so shapes are not distorted.
 */
export async function makeSprite(images: Buffer[], maxThumb = 64): Promise<Sprite> {
  const n = Math.max(1, images.length);
  const columns = Math.ceil(Math.sqrt(n));
  const thumb = Math.max(1, Math.min(maxThumb, Math.floor(MAX_SPRITE_SIDE / columns)));
  const rows = Math.ceil(n / columns);
  const cells = await Promise.all(
    images.map((bytes) =>
      sharp(bytes).rotate().resize(thumb, thumb, { fit: 'contain', background: { r: 255, g: 255, b: 255, alpha: 1 } }).flatten({ background: '#ffffff' }).png().toBuffer(),
    ),
  );
  const png = await sharp({ create: { width: columns * thumb, height: rows * thumb, channels: 3, background: '#ffffff' } })
    .composite(cells.map((input, i) => ({ input, left: (i % columns) * thumb, top: Math.floor(i / columns) * thumb })))
    .png()
    .toBuffer();
  return { png, thumb, columns };
}
