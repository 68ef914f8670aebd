import { buildApp } from '@tailor/api';
import type { Config } from '@tailor/config';
import { coalescePredictions, createServices, runQueuePolicy, type Services } from '@tailor/core';
import { artifactFromFiles, configureOnnxProviders, describeCompute, isCnnClassifier, loadClassifier, loadCnnClassifier, type OnnxProvider } from '@tailor/ml';
import { recoverRuns, registerNotifyWorker, registerTrainingWorker, scheduleRecovery } from '@tailor/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { bootstrapAccount } from './bootstrap-account';
import { openInfrastructure, type Infra } from './infrastructure';

export interface Running {
  infra: Infra;
  services: Services;
  app?: FastifyInstance;
  url?: string;
  bootstrapKey?: string;
  stop(): Promise<void>;
}

/**
 * Starts Tailor in the configured role: `all` (API + worker in one process; the embedded default), `api` or `worker`.
 * Shutdown runs once, in order: stop taking HTTP traffic, stop taking jobs (running ones get the close deadline), then
 * close the stores — under a hard deadline.
 */
export async function startTailor(config: Config, opts: { logger?: pino.Logger } = {}): Promise<Running> {
  const logger = opts.logger ?? pino({ level: config.LOG_LEVEL, redact: ['authorization', 'key'] });
  configureOnnxProviders(config.TAILOR_ONNX_PROVIDERS.split(',') as OnnxProvider[]);
  // Which engines this process computes with, so a GPU worker that fell back to the CPU says so at once.
  const compute = await describeCompute();
  logger.info({ compute }, `compute: TensorFlow.js ${compute.tensorflowJs}${compute.tensorflowGpu ? ' (GPU)' : ''}, onnxruntime ${compute.onnxruntime.join(' > ')} (available: ${compute.onnxruntimeAvailable.join(', ')}), ${compute.cpus} CPUs`);
  const infra = await openInfrastructure(config, logger);
  // Concurrent predictions of one version share forward passes (see coalescePredictions).
  const services = createServices(infra, async (files) =>
    coalescePredictions(isCnnClassifier(files) ? await loadCnnClassifier(files) : await loadClassifier(artifactFromFiles(files))),
  );
  let app: FastifyInstance | undefined;
  let url: string | undefined;
  let bootstrapKey: string | undefined;
  let stopRecovery = () => {};
  try {
    if (config.TAILOR_ROLE !== 'worker') {
      const boot = await bootstrapAccount(config, infra.db, services.accounts);
      bootstrapKey = boot.key;
      app = await buildApp({ config, services, compute: { ...compute }, logger: opts.logger ? { level: config.LOG_LEVEL } : undefined });
      url = await app.listen({ port: config.PORT, host: config.HOST });
    }
    if (config.TAILOR_ROLE !== 'api') {
      registerTrainingWorker({
        config,
        db: infra.db,
        jobs: infra.jobs,
        logger,
        onRunEnded: (runId) => services.notifications.runEnded(runId),
      });
      registerNotifyWorker({ config, jobs: infra.jobs, notifications: services.notifications });
      // At start every unfinished run is resumed; afterwards only runs whose worker stopped heart-beating.
      const recovered = await recoverRuns(infra.db, infra.jobs, runQueuePolicy(config));
      if (recovered) logger.info({ recovered }, 're-enqueued unfinished training runs');
      stopRecovery = scheduleRecovery(infra.db, infra.jobs, runQueuePolicy(config), 60_000, 10 * config.TAILOR_JOB_LOCK_MS, (err) =>
        logger.warn({ err: err.message }, 'run recovery failed'),
      );
    }
  } catch (err) {
    await app?.close().catch(() => {});
    await infra.close();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, 45_000).unref());
      await Promise.race([
        (async () => {
          await app?.close();
          stopRecovery();
          services.predictions.close();
          await infra.close();
        })(),
        deadline,
      ]);
    })());
  return { infra, services, app, url, bootstrapKey, stop };
}
