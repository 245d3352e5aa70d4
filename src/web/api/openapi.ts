// The OpenAPI 3.1 document of the account API, generated from the routes' own zod schemas.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';

export function newApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from the "API keys" page: `Authorization: Bearer dh_live_…`',
  });
  return registry;
}

export function openApiDocument(registry: OpenAPIRegistry): object {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'didhub API',
      version: '1.0.0',
      description:
        'Search, hold, buy, forward and release numbers; read calls, balance and transactions. JSON; cursor pagination ' +
        '(`limit`, `starting_after`); errors are RFC 9457 problem details; requests that move money take an `Idempotency-Key`.',
    },
    servers: [{ url: '/api/v1' }],
  });
}
