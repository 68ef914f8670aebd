export { ByteBudget, ByteLease } from './byte-budget';
