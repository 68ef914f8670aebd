/**
 * A one-line progress display on stderr. On a terminal it redraws in place; when stderr is a file or pipe (CI logs,
 * tests) it prints a new line only when the text changes and at most once a second, so logs stay short.
 */
export class ProgressBar {
  private lastText = '';
  private lastPrint = 0;
  private drawn = false;
  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly width = 24,
  ) {}

  private get tty(): boolean {
    return !!this.out.isTTY;
  }

  update(fraction: number, label: string, force = false): void {
    const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
    const filled = Math.round(f * this.width);
    const text = `[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${String(Math.round(f * 100)).padStart(3)}% ${label}`;
    if (text === this.lastText) return;
    const now = Date.now();
    if (this.tty) {
      const cols = this.out.columns || 100;
      this.out.write(`\r\x1b[2K${text.slice(0, cols - 1)}`);
      this.drawn = true;
    } else {
      if (!force && now - this.lastPrint < 1000) return;
      this.out.write(text + '\n');
      this.lastPrint = now;
    }
    this.lastText = text;
  }

  /** Ends the line (terminal) so following output starts clean. */
  done(): void {
    if (this.tty && this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
