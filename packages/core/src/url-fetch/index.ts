export { safeFetch, UrlFetchError } from './safe-fetch';
export type { SafeFetchOptions, SafeFetchResult } from './safe-fetch';
export { isPublicAddress } from './address-policy';
export { urlPolicyProblem } from './url-policy';
export { fetchImages } from './fetch-images';
export type { FetchedImage, UrlFetchLimits } from './fetch-images';
