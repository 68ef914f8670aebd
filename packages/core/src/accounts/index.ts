export { AccountService, requireScope } from './account-service';
export type { Principal, CreatedKey } from './account-service';
export { SCOPES, DEFAULT_SCOPES, generateApiKey, hashApiKey } from './api-key';
export type { Scope } from './api-key';
