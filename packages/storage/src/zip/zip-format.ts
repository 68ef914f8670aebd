/** Record signatures and limits of the zip format (PKWARE APPNOTE 6.3), shared by the writer and the reader. */
export const SIG = {
  local: 0x04034b50,
  central: 0x02014b50,
  end: 0x06054b50,
  zip64End: 0x06064b50,
  zip64Locator: 0x07064b50,
} as const;

/** Fields of the classic records are 16/32-bit; beyond these a zip64 record carries the real value. */
export const MAX_U16 = 0xffff;
export const MAX_U32 = 0xffffffff;

/** General-purpose flag bits. */
export const FLAG = { encrypted: 0x0001, dataDescriptor: 0x0008, utf8: 0x0800 } as const;

export const METHOD = { stored: 0, deflate: 8 } as const;

/** A malformed, unsupported or oversized archive: the caller's input is at fault (an HTTP 400, a CLI usage error). */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
  readonly code = 'INVALID_ZIP';
}

/** MS-DOS date and time fields as zip headers store them (local time has no meaning here; UTC is used). */
export function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}
