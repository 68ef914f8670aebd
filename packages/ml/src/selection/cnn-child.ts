/**
 * Child process entry of `cnnCandidateAlongside` (cnn-alongside.ts): cross-validates one CNN recipe, then trains the
 * final model on every image, on its own core while the parent searches the feature heads. It runs exactly the code
 * the in-process candidate runs (cnnCandidate / fitCnnMember), so both give the same numbers for the same seeds.
 */
import { exitWithParent } from '../child-process/exit-with-parent';
import { initTf } from '../tf/backend';
import type { CnnChildMessage, CnnChildRequest } from './cnn-child-protocol';
import { cnnCandidate, fitCnnMember } from './cnn-candidate';

function send(msg: CnnChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(msg, undefined, {}, () => resolve()));
}

async function run(req: CnnChildRequest): Promise<void> {
  await initTf();
  const pixels = Promise.resolve(req.images);
  const images = () => pixels;
  const candidate = cnnCandidate(req.recipe, images, req.labels, req.numClasses);
  const oof = await candidate.crossValidate({
    folds: req.folds,
    k: req.k,
    seed: req.seed,
    onFold: (fold) => void send({ type: 'fold', fold }),
  });
  await send({ type: 'oof', oof });
  const all = Array.from({ length: req.labels.length }, (_, i) => i);
  const { artifact, history } = await fitCnnMember(req.recipe, images, req.labels, all, req.numClasses, req.finalSeed);
  await send({ type: 'final', artifact, history });
}

// The parent went away (finished without needing the final model, or died): stop rather than train for nobody.
process.on('disconnect', () => process.exit(0));
exitWithParent();

process.once('message', (req: CnnChildRequest) => {
  run(req).then(
    () => process.exit(0),
    async (err: Error) => {
      await send({ type: 'error', message: err?.message ?? String(err) });
      process.exit(1);
    },
  );
});
