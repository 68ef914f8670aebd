import { createInProcessRunner } from '../src';
import { testCatalog } from './helpers';
import { jobRunnerContract } from './job-runner.contract';

describe('in-process JobRunner', () => {
  jobRunnerContract(({ logger, closeTimeoutMs }) => createInProcessRunner({ catalog: testCatalog, logger, closeTimeoutMs }));
});
