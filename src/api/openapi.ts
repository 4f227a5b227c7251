// The OpenAPI 3.1 document, generated from the route registry (server.ts) and the routes' zod
// schemas. OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what z.toJSONSchema emits.
import { z } from 'zod';
import type { ApplianceConfig } from '../config/appliance.js';
import { ErrorBody } from './schemas.js';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string; // fastify syntax: /policy/versions/:id
  summary: string;
  description?: string;
  tags: string[];
  unprefixed?: boolean; // served at `url` itself, not under /v1
  body?: z.ZodType;
  querystring?: z.ZodType;
  params?: z.ZodType;
  response: z.ZodType;
  // Content type of the success response (default application/json).
  responseType?: string;
  // The errors the route can answer with (beyond 400 validation and 500), for the document.
  errors?: number[];
}

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete json.$schema; // the document's jsonSchemaDialect says it once
  return json;
}

const kErrorText: Record<number, string> = {
  400: 'malformed request, failed validation, or an invalid policy/capture',
  401: 'missing or wrong bearer token (TCP listener only)',
  404: 'no such route, version or list',
  409: 'conflicts with the current state',
  413: 'request body over api.bodyLimitBytes',
  500: 'unexpected fault (no detail is returned)',
};

// Path parameters: fastify's ":id" is OpenAPI's "{id}".
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function parameters(route: RouteSpec): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.querystring],
  ] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input');
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries(properties)) {
      out.push({ name, in: where, required: where === 'path' ? true : required.has(name), schema: property, ...(property.description ? { description: property.description } : {}) });
    }
  }
  return out;
}

export function buildOpenApiDocument(routes: readonly RouteSpec[], config: Pick<ApplianceConfig, 'name'>): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    const errors = new Set([400, 500, ...(route.errors ?? [])]);
    const responses: Record<string, unknown> = {
      '200': {
        description: 'success',
        content: { [route.responseType ?? 'application/json']: { schema: route.responseType && route.responseType !== 'application/json' ? { type: 'string' } : schemaOf(route.response, 'output') } },
      },
    };
    if (route.body) errors.add(413);
    for (const status of [...errors].sort()) {
      responses[String(status)] = { description: kErrorText[status] ?? 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    const operation: Record<string, unknown> = {
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      parameters: parameters(route),
      responses,
    };
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } };
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: `sigwall control API (${config.name})`,
      version: '1',
      description:
        'The local control API of a sigwall appliance. On the unix socket the file mode is the access control; on the optional loopback TCP listener every request needs a bearer token. Errors are {code, message, details?} with codes from docs/errors.md.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { Error: schemaOf(ErrorBody, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'TCP listener only (api.tcp.tokenFile); not used on the unix socket' } },
    },
    // Optional: the empty requirement stands for the unix socket, where no token is asked.
    security: [{}, { bearer: [] }],
  };
}
