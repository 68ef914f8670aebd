import { ServiceUnavailableError } from '@tailor/core';

/**
 * Bounds the projector's heavy work (a version's embeddings of every image, a sprite of every image) in one API
 * process: one computation at a time, a few more waiting in line (past that, 503 + Retry-After), and each under a
 * deadline whose signal the work checks between images. Memory then grows with one model's projector at most, and a
 * predict-scope key cannot keep the process busy with many of them.
 */
export class ProjectorGate {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  constructor(private readonly opts: { timeoutMs: number; maxWaiting?: number }) {}

  async run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.queued > (this.opts.maxWaiting ?? 4)) {
      throw new ServiceUnavailableError('The embedding projector is busy with other models; try again in a minute', 30);
    }
    this.queued++;
    const turn = this.tail.then(async () => {
      const signal = AbortSignal.timeout(this.opts.timeoutMs);
      try {
        return await work(signal);
      } catch (err) {
        if (signal.aborted) {
          throw new ServiceUnavailableError(
            `The embedding projector stopped at its time limit of ${Math.round(this.opts.timeoutMs / 1000)} s for this model; try again when the server is less busy`,
            60,
          );
        }
        throw err;
      }
    });
    this.tail = turn.catch(() => undefined).finally(() => this.queued--);
    return turn;
  }
}
