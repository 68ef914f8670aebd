/** Types for the browser module sha256.js (used by the Node tests). */
export function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string>;
export function sha256Js(data: Uint8Array): Uint8Array;
