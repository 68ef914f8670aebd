/**
 * Room left for one upload request's files under the account's image and byte quotas, measured once when the request
 * starts: files are taken in order while they fit, the rest are rejected one by one naming the quota. Two requests
 * of one account running at the same moment can together pass the quota by at most one request's files; counting per
 * file under a lock would serialise every upload of an account behind its blob writes.
 */
export class UploadAllowance {
  constructor(
    private images: number,
    private bytes: number,
    private readonly limits: { images: number | null; bytes: number | null },
  ) {}

  static unlimited(): UploadAllowance {
    return new UploadAllowance(Infinity, Infinity, { images: null, bytes: null });
  }

  /** Takes room for one file; a rejection message when it does not fit. */
  take(size: number): string | undefined {
    if (this.images < 1) return `Quota exhausted: images (the account's limit is ${this.limits.images} images)`;
    if (size > this.bytes) return `Quota exhausted: storedBytes (the account's limit is ${this.limits.bytes} bytes of images)`;
    this.images -= 1;
    this.bytes -= size;
    return undefined;
  }

  /** Gives back the room of a file that was not stored after all (a duplicate, a rejected image). */
  giveBack(size: number): void {
    this.images += 1;
    this.bytes += size;
  }
}
