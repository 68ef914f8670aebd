import { loadConfig } from './load-config';

describe('loadConfig', () => {
  it('gives the embedded setup with no environment', () => {
    const cfg = loadConfig({});
    expect(cfg.mode).toBe('embedded');
    expect(cfg.PORT).toBe(3000);
    expect(cfg.dataDir).toMatch(/\/data$/);
    expect(cfg.DATABASE_URL).toBeUndefined();
  });

  it('is distributed when DATABASE_URL and REDIS_URL are set', () => {
    const cfg = loadConfig({ DATABASE_URL: 'postgresql://u@h/db', REDIS_URL: 'redis://127.0.0.1:6379', PORT: '8081' });
    expect(cfg.mode).toBe('distributed');
    expect(cfg.PORT).toBe(8081);
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TAILOR_BOOTSTRAP_API_KEY: 'short' })).toThrow(
      /PORT[\s\S]*DATABASE_URL: must be a postgresql:\/\/ URL[\s\S]*TAILOR_BOOTSTRAP_API_KEY/,
    );
  });

  it('limits images to 50 megapixels unless told otherwise, and names a bad limit', () => {
    expect(loadConfig({}).TAILOR_MAX_IMAGE_PIXELS).toBe(50_000_000);
    expect(loadConfig({ TAILOR_MAX_IMAGE_PIXELS: '1000000' }).TAILOR_MAX_IMAGE_PIXELS).toBe(1_000_000);
    expect(() => loadConfig({ TAILOR_MAX_IMAGE_PIXELS: '0' })).toThrow(/TAILOR_MAX_IMAGE_PIXELS/);
  });

  it('refuses a split role without shared servers', () => {
    expect(() => loadConfig({ TAILOR_ROLE: 'worker' })).toThrow(/TAILOR_ROLE=worker needs DATABASE_URL and REDIS_URL/);
  });
});
