/**
 * For working on the dashboard by hand: a real server with a trained model, left running until Ctrl-C.
 *   npx tsx test/dashboard/support/dev-server.ts
 */
import { startTrainedTailor } from './trained-model';

void (async () => {
  const { t, modelId } = await startTrainedTailor();
  console.log(JSON.stringify({ dashboard: `${t.baseUrl}/dashboard/`, key: t.key, modelId }));
  const stop = () => void t.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
})();
