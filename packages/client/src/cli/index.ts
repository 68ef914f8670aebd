export { runCli, USAGE } from './run-cli';
export { EXIT } from './exit-codes';
