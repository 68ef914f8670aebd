import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CnnArtifact, CnnEpochStats } from '../cnn';
import type { CrossValidationContext, SelectionCandidate } from './candidate';
import { cnnCandidate, type CnnImages, type CnnRecipe } from './cnn-candidate';
import type { CnnChildMessage, CnnChildRequest } from './cnn-child-protocol';

// The child runs the TypeScript sources directly, like every Tailor process: tsx's loader is passed explicitly so
// this works the same under `npm start`, jest and the benchmarks.
const TSX_LOADER = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
const CHILD_ENTRY = path.join(__dirname, 'cnn-child.ts');

export interface CnnFinalModel {
  artifact: CnnArtifact;
  history: CnnEpochStats[];
}

/** A CNN candidate cross-validated in a child process, alongside the search's other candidates. */
export interface AlongsideCnnCandidate extends SelectionCandidate {
  alongside: true;
  /**
   * The model trained on every image with `finalSeed`, which the child starts as soon as its cross-validation is
   * done (while the parent is still searching or fitting heads). Rejects if the cross-validation never finished.
   */
  finalModel(): Promise<CnnFinalModel>;
  /** Stops the child, e.g. when the CNN was not chosen and its final model is not needed. Idempotent. */
  dispose(): void;
}

/**
 * Wraps `cnnCandidate` so that its k trainings run in another process. TensorFlow.js on wasm and the feature heads
 * each keep one core busy, so on a 2-core machine a CNN's cross-validation (longer than the whole head search) costs
 * almost no extra wall time this way. The numbers are the in-process candidate's: the child runs the same code with
 * the same seeds.
 */
export function cnnCandidateAlongside(recipe: CnnRecipe, images: CnnImages, labels: Int32Array, numClasses: number, finalSeed: number): AlongsideCnnCandidate {
  const inner = cnnCandidate(recipe, images, labels, numClasses);
  let child: ChildProcess | undefined;
  let final: Promise<CnnFinalModel> | undefined;
  const dispose = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  const crossValidate = async (ctx: CrossValidationContext): Promise<Float32Array> => {
    const request: CnnChildRequest = { recipe, images: await images(), labels, numClasses, folds: ctx.folds, k: ctx.k, seed: ctx.seed, finalSeed };
    const proc = fork(CHILD_ENTRY, [], { execArgv: ['--import', TSX_LOADER], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child = proc;
    let settleOof!: { resolve: (oof: Float32Array) => void; reject: (e: unknown) => void };
    let settleFinal!: { resolve: (m: CnnFinalModel) => void; reject: (e: unknown) => void };
    const oof = new Promise<Float32Array>((resolve, reject) => (settleOof = { resolve, reject }));
    final = new Promise<CnnFinalModel>((resolve, reject) => (settleFinal = { resolve, reject }));
    final.catch(() => undefined); // only awaited when the CNN is chosen
    const fail = (err: unknown) => {
      dispose();
      settleOof.reject(err);
      settleFinal.reject(err);
    };
    const onAbort = () => fail(ctx.signal?.reason ?? new Error('aborted'));
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    proc.on('message', (msg: CnnChildMessage) => {
      if (msg.type === 'fold') {
        try {
          ctx.onFold?.(msg.fold);
        } catch (err) {
          fail(err);
        }
      } else if (msg.type === 'oof') settleOof.resolve(msg.oof);
      else if (msg.type === 'final') settleFinal.resolve({ artifact: { modelJson: msg.artifact.modelJson, weights: new Uint8Array(msg.artifact.weights) }, history: msg.history });
      else if (msg.type === 'error') fail(new Error(`${inner.name}: ${msg.message}`));
    });
    proc.on('exit', (code, sig) => fail(new Error(`${inner.name}: CNN process exited (${sig ?? code}) before finishing`)));
    proc.on('error', fail);
    proc.send(request);
    try {
      return await oof;
    } finally {
      ctx.signal?.removeEventListener('abort', onAbort);
    }
  };

  return {
    ...inner,
    alongside: true,
    crossValidate,
    finalModel: () => final ?? Promise.reject(new Error(`${inner.name}: not cross-validated`)),
    dispose,
  };
}
