import { v1 } from '@tailor/contracts';
import { architectureChoices, trainingDefaults } from '@tailor/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { authorize } from '../../plugins/auth';

type Kind = 'auto' | 'transfer' | 'finetune' | 'cnn';
type SettingView = z.infer<typeof v1.trainingOptionsView>['settings'][number];

/** The settings a run reads, and which architectures each one changes anything for. */
const SETTINGS: Array<{ name: 'timeBudgetSeconds' | 'folds' | 'maxEnsemble' | 'ensemble' | 'targetPrecision' | 'epochs'; appliesTo: Kind[] }> = [
  { name: 'timeBudgetSeconds', appliesTo: ['auto', 'transfer', 'finetune'] },
  { name: 'folds', appliesTo: ['auto', 'transfer', 'finetune'] },
  { name: 'maxEnsemble', appliesTo: ['auto', 'transfer', 'finetune'] },
  { name: 'ensemble', appliesTo: ['auto', 'transfer', 'finetune'] },
  { name: 'targetPrecision', appliesTo: ['auto', 'transfer', 'finetune'] },
  { name: 'epochs', appliesTo: ['cnn'] },
];

/**
 * Bounds and descriptions come from the contract the train call is validated with (the budget also from the
 * service's cap), defaults from the service's configuration and the engine: a form built from this cannot offer what the API would refuse.
 */
function describeSettings(defaults: Record<string, number | string>, caps: Record<string, number>): SettingView[] {
  return SETTINGS.map(({ name, appliesTo }) => {
    const field = v1.trainSettings.shape[name];
    const inner = field.unwrap() as z.ZodNumber | z.ZodEnum;
    const base = { name, description: field.description ?? '', default: defaults[name]!, appliesTo };
    if ('options' in inner) return { ...base, type: 'choice' as const, options: inner.options.map(String) };
    const max = Math.min(inner.maxValue ?? Infinity, caps[name] ?? Infinity);
    return { ...base, type: inner.isInt ? ('integer' as const) : ('number' as const), min: inner.minValue ?? undefined, max: Number.isFinite(max) ? max : undefined };
  });
}

export async function v1TrainingOptionsRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.route({
    method: 'GET',
    url: '/training-options',
    schema: {
      operationId: 'trainingOptions',
      tags: ['Models'],
      summary: 'The architectures a model may use and the training settings a run reads, with their bounds and defaults',
      response: { 200: v1.trainingOptionsView },
    },
    handler: async (request) => {
      await authorize(request, 'predict');
      const defaults = trainingDefaults({ timeBudgetSeconds: app.config.TAILOR_TRAIN_TIME_BUDGET_S });
      // The service may cap the budget below the contract's bound (TAILOR_MAX_TRAIN_TIME_BUDGET_S).
      const caps = { timeBudgetSeconds: app.config.TAILOR_MAX_TRAIN_TIME_BUDGET_S };
      return { architectures: architectureChoices(), settings: describeSettings({ ...defaults }, caps), minImagesPerClass: app.config.TAILOR_MIN_IMAGES_PER_CLASS };
    },
  });
}
