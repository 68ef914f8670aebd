/**
 * A fixed number of bytes shared by everything one process holds in memory at once for requests (uploaded files,
 * downloaded URLs). Requests take leases; a lease reserves bytes as they arrive and gives them all back when its
 * request ends. Past the capacity a reservation fails and the request is refused (503 + Retry-After) instead of the
 * process growing until the kernel kills it.
 */
export class ByteBudget {
  private used = 0;

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new Error('capacity must be positive');
  }

  get inUse(): number {
    return this.used;
  }

  get available(): number {
    return this.capacity - this.used;
  }

  lease(): ByteLease {
    return new ByteLease(this);
  }

  /** @internal ByteLease's side of the bookkeeping. */
  tryTake(bytes: number): boolean {
    if (bytes > this.capacity - this.used) return false;
    this.used += bytes;
    return true;
  }

  /** @internal */
  giveBack(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** One request's share of a ByteBudget. */
export class ByteLease {
  private held = 0;
  private closed = false;

  constructor(private readonly budget: ByteBudget) {}

  get bytes(): number {
    return this.held;
  }

  /** Reserves `n` more bytes; false (and nothing reserved) when the budget has no room, or the lease was closed. */
  reserve(n: number): boolean {
    if (this.closed || n < 0) return false;
    if (!this.budget.tryTake(n)) return false;
    this.held += n;
    return true;
  }

  /** Gives back part of what this lease holds (a download that turned out smaller than reserved). */
  release(n: number): void {
    const back = Math.min(Math.max(0, n), this.held);
    this.held -= back;
    this.budget.giveBack(back);
  }

  /** Gives everything back; later reservations fail. Idempotent. */
  close(): void {
    this.release(this.held);
    this.closed = true;
  }
}
