import type { Principal, Services } from '@tailor/core';
import type { Config } from '@tailor/config';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    config: Config;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}
