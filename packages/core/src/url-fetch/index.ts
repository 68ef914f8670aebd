export { safeFetch, UrlFetchError } from './safe-fetch';
export type { SafeFetchOptions, SafeFetchResult } from './safe-fetch';
export { isPublicAddress } from './address-policy';
