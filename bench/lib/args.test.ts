import { listFlag, numberFlag, parseFlags } from './args';
import { formatTable, median } from './table';

describe('bench flag parsing', () => {
  it('reads switches, values and lists', () => {
    const f = parseFlags(['--quick', '--seeds', '1,2', '--per-class=20', '--test-limit', '500']);
    expect(f.get('quick')).toBe(true);
    expect(listFlag(f, 'seeds', [9])).toEqual([1, 2]);
    expect(numberFlag(f, 'per-class', 100)).toBe(20);
    expect(numberFlag(f, 'test-limit', 0)).toBe(500);
    expect(numberFlag(f, 'absent', 7)).toBe(7);
    expect(() => numberFlag(parseFlags(['--x', 'abc']), 'x', 1)).toThrow(/number/);
    expect(() => parseFlags(['stray'])).toThrow(/unexpected/);
  });

  it('formats tables and medians', () => {
    expect(formatTable(['a', 'bb'], [['x', 1], ['yy', 22]]).split('\n')).toEqual(['a   bb', '--  --', 'x    1', 'yy  22']);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
