import type { FastifyInstance } from 'fastify';

/** The native API: everything the v2 format cannot carry. */
export async function v1Routes(_app: FastifyInstance) {}
