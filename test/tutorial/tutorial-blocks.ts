import { readFileSync } from 'node:fs';

/** A command block of docs/tutorial.md that the test runs: the marker comment right above a ```bash fence. */
export interface TutorialBlock {
  step: number;
  /** curl | python | cli, or all (setup shared by every path). */
  tool: string;
  code: string;
  line: number;
}

const MARKER = /^<!-- tutorial step=(\d+) tool=(\w+) -->\n```bash\n([\s\S]*?)\n```$/gm;

/** Every marked block in document order; unmarked blocks (placeholders, `watch`, `npm start`) are prose. */
export function tutorialBlocks(file: string): TutorialBlock[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(MARKER)].map((m) => ({
    step: Number(m[1]),
    tool: m[2]!,
    code: m[3]!,
    line: text.slice(0, m.index).split('\n').length + 2,
  }));
}

/** The blocks one reader following one column (curl, python or cli) runs, in order. */
export function pathFor(blocks: TutorialBlock[], tool: string): TutorialBlock[] {
  return blocks.filter((b) => b.tool === 'all' || b.tool === tool);
}
