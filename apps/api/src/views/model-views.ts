import type { ModelWithCounts } from '@tailor/core';
import type { v1, v2 } from '@tailor/contracts';
import type { z } from 'zod';

export function toV2Model(model: ModelWithCounts, status = model.status): z.infer<typeof v2.v2Model> {
  return {
    model_id: model.id,
    model_type: 'classification',
    state: model.state,
    status,
    categories: model.categories.map((c) => ({ name: c.name, count: c._count.images })),
  };
}

export function toModelView(model: ModelWithCounts, status: string, activeVersion: number | null): z.infer<typeof v1.modelView> {
  const categories = model.categories.map((c) => ({ name: c.name, count: c._count.images }));
  return {
    id: model.id,
    name: model.name,
    state: model.state,
    status,
    architecture: model.architecture,
    settings: model.settings as Record<string, unknown>,
    categories,
    imageCount: categories.reduce((n, c) => n + c.count, 0),
    unlabeledCount: model._count.images,
    activeVersion,
    createdAt: model.createdAt.toISOString(),
    updatedAt: model.updatedAt.toISOString(),
  };
}
