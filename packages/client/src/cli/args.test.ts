import { checkFlags, intFlag, parseArgs } from './args';
import { accuracyFrom } from './commands/train';
import { UsageError } from './exit-codes';
import { formatTable } from './format-table';

test('flags with values, boolean flags, aliases, --x=y, and -- ending options', () => {
  const a = parseArgs(['predict', '-m', 'abc', '--top=3', '--json', 'a.jpg', '--', '--weird.jpg']);
  expect(a).toEqual({ positionals: ['predict', 'a.jpg', '--weird.jpg'], flags: { model: 'abc', top: '3', json: true } });
  expect(intFlag(a, 'top', 1)).toBe(3);
});

test('bad input is a UsageError (exit 2), never silently ignored', () => {
  expect(() => parseArgs(['train', '--seed'])).toThrow(UsageError);
  expect(() => parseArgs(['state', '--json=yes'])).toThrow(UsageError);
  expect(() => intFlag(parseArgs(['x', '--top', '0']), 'top', 1)).toThrow(/>= 1/);
  expect(() => checkFlags(parseArgs(['state', '--modle', 'x']), ['model'])).toThrow(/unknown option --modle/);
});

test('accuracy so far is read from the search phase message', () => {
  expect(accuracyFrom('cv accuracy 93.4%')).toBeCloseTo(0.934);
  expect(accuracyFrom('fold 2/5')).toBeUndefined();
  expect(accuracyFrom(null)).toBeUndefined();
});

test('tables align columns and trim trailing space', () => {
  expect(formatTable(['A', 'BB', 'C'], [['xxx', 'y', ''], ['z', 'wwww', 'q']])).toBe('A    BB    C\nxxx  y\nz    wwww  q');
});

test('--version takes a value: `predict --version 2 a.jpg` names version 2, not a file "2"', () => {
  const a = parseArgs(['predict', '--version', '2', 'a.jpg']);
  expect(a).toEqual({ positionals: ['predict', 'a.jpg'], flags: { version: '2' } });
  expect(parseArgs(['predict', 'a.jpg', '--version=3']).flags.version).toBe('3');
  expect(() => parseArgs(['predict', 'a.jpg', '--version'])).toThrow(/--version needs a value/);
});
