export { quotasFromConfig, type AccountQuotas, type QuotaName } from './account-quotas';
export { QuotaService, type AccountUsage, type QuotaUse } from './quota-service';
export { UploadAllowance } from './upload-allowance';
