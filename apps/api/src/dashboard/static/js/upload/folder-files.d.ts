/** Types for the browser module folder-files.js (used by the Node tests). */
export function classOf(path: string): string | undefined;
export function classNames(files: Array<{ path: string }>): string[];
