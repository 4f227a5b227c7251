// The control API: a fastify application whose routes are described once, in zod (schemas.ts);
// fastify validates with those schemas (validator compiler below), the OpenAPI document is
// generated from the same registry of routes, and every error leaves as {code, message, details?}
// with a code of src/errors.ts.
//
// Listening (listenApi): a unix socket (default; its file mode is the access control, no token),
// and optionally a loopback TCP port where every request needs `Authorization: Bearer <token>`,
// the token read from a file and compared in constant time. Both listeners feed the same
// application (fastify's routing function), so a route cannot exist on one and not the other.
import { createHash, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApplianceConfig } from '../config/appliance.js';
import type { Engine } from '../engine/contract.js';
import { SigwallError, type ErrorCode } from '../errors.js';
import type { EventHub } from '../events/hub.js';
import type { PolicyStore } from '../store/policy-store.js';
import { buildOpenApiDocument, type RouteSpec } from './openapi.js';
import { PolicyService, type CompileFunction } from './policy-service.js';
import { registerEngineRoutes } from './routes/engine.js';
import { registerEventRoutes } from './routes/events.js';
import { registerPolicyRoutes } from './routes/policy.js';

export interface ApiDeps {
  config: ApplianceConfig;
  engine: Engine;
  store: PolicyStore;
  events: EventHub;
  metrics: () => string;
  compile: CompileFunction;
  log?: (line: string) => void;
}

// What each route plugin receives.
export interface RouteContext {
  deps: ApiDeps;
  policies: PolicyService;
  route: <Body extends z.ZodType = z.ZodType, Query extends z.ZodType = z.ZodType, Params extends z.ZodType = z.ZodType>(
    spec: RouteSpec & { body?: Body; querystring?: Query; params?: Params },
    handler: (request: FastifyRequest & { body: z.output<Body>; query: z.output<Query>; params: z.output<Params> }, reply: FastifyReply) => Promise<unknown>,
  ) => void;
  // Who is asking: "author"/"via" for the audit log.
  transport: (request: FastifyRequest) => 'unix' | 'tcp' | 'inject';
  listenerInfo: () => { socket: string; tcp: string | null };
}

export const API_PREFIX = '/v1';

export const kHttpStatus: Partial<Record<ErrorCode, number>> = {
  SIGWALL_ERR_BAD_REQUEST: 400,
  SIGWALL_ERR_POLICY: 400,
  SIGWALL_ERR_POLICY_TOO_COMPLEX: 400,
  SIGWALL_ERR_CAPTURE: 400,
  SIGWALL_ERR_FILE: 400,
  SIGWALL_ERR_OPTIONS: 400,
  SIGWALL_ERR_USAGE: 400,
  SIGWALL_ERR_UNAUTHORIZED: 401,
  SIGWALL_ERR_NOT_FOUND: 404,
  SIGWALL_ERR_CONFLICT: 409,
  SIGWALL_ERR_TOO_LARGE: 413,
};

// Marks requests that came in over the TCP listener (they need the bearer token).
const kTransport = Symbol('sigwall.transport');
type TaggedRequest = IncomingMessage & { [kTransport]?: 'unix' | 'tcp' };

interface AuthState {
  tokenDigest: Buffer | undefined;
  listeners: { socket: string; tcp: string | null };
}
const kAuth = Symbol('sigwall.auth');
type ApiInstance = FastifyInstance & { [kAuth]?: AuthState };

function digest(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}

function errorBody(error: SigwallError): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
  const details = error.details;
  return { code: error.code, message: error.message, ...(details && Object.keys(details).length > 0 ? { details } : {}) };
}

// Converts whatever a route or fastify threw into a catalog error with its HTTP status.
export function toApiError(error: unknown, log: (line: string) => void): { status: number; body: ReturnType<typeof errorBody> } {
  if (error instanceof SigwallError) {
    const status = kHttpStatus[error.code] ?? 500;
    return { status, body: errorBody(error) };
  }
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { code: 'SIGWALL_ERR_TOO_LARGE', message: 'the request body is larger than the API body limit (api.bodyLimitBytes)' } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { code: 'SIGWALL_ERR_BAD_REQUEST', message: `the request body is not valid JSON: ${fastifyError.message}` } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, body: { code: 'SIGWALL_ERR_BAD_REQUEST', message: `${fastifyError.message}; the API takes application/json` } };
    default:
      break;
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    if (fastifyError.statusCode === 413) return { status: 413, body: { code: 'SIGWALL_ERR_TOO_LARGE', message: fastifyError.message } };
    if (fastifyError.statusCode === 404) return { status: 404, body: { code: 'SIGWALL_ERR_NOT_FOUND', message: fastifyError.message } };
    return { status: 400, body: { code: 'SIGWALL_ERR_BAD_REQUEST', message: fastifyError.message } };
  }
  // A bug: the detail goes to the log, never to the client.
  log(`sigwall api: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
  return { status: 500, body: { code: 'SIGWALL_ERR_INTERNAL', message: 'internal error in the control API (the appliance log has the detail)' } };
}

function zodIssueText(error: z.ZodError, part: string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('').replace(/^\./, '');
      return `${part}${path === '' ? '' : `.${path}`}: ${issue.message}`;
    })
    .join('; ');
}

// Every route fastify holds for an application (what the OpenAPI document must cover).
const registeredRoutes = new WeakMap<FastifyInstance, { method: string; url: string }[]>();
export function routesOf(app: FastifyInstance): readonly { method: string; url: string }[] {
  return registeredRoutes.get(app) ?? [];
}

export function buildApi(deps: ApiDeps): FastifyInstance {
  const log = deps.log ?? (() => {});
  const app: ApiInstance = Fastify({
    logger: false, // the appliance logs through deps.log; request headers (tokens) are never logged
    bodyLimit: deps.config.api.bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
    exposeHeadRoutes: false, // the API is exactly the documented routes
  });
  const auth: AuthState = { tokenDigest: undefined, listeners: { socket: deps.config.api.socket, tcp: null } };
  app[kAuth] = auth;
  const registered: { method: string; url: string }[] = [];
  registeredRoutes.set(app, registered);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push({ method, url: route.url });
  });

  // zod validates; fastify only routes. Keyed by route and part so the JSON schema fastify
  // keeps (for the OpenAPI document) stays plain data.
  const validators = new Map<string, z.ZodType>();
  app.setValidatorCompiler(({ method, url, httpPart }) => {
    const schema = validators.get(`${method} ${url} ${httpPart}`);
    return (data: unknown) => {
      if (!schema) return { value: data };
      const parsed = schema.safeParse(data ?? (httpPart === 'body' ? undefined : {}));
      if (parsed.success) return { value: parsed.data };
      return { error: new SigwallError('SIGWALL_ERR_BAD_REQUEST', zodIssueText(parsed.error, httpPart === 'querystring' ? 'query' : (httpPart ?? 'request')), { issues: parsed.error.issues }) };
    };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.addHook('onRequest', async (request) => {
    if ((request.raw as TaggedRequest)[kTransport] !== 'tcp') return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
    // Hash both sides so timingSafeEqual compares equal lengths and the time does not depend on
    // where the first difference is.
    const ok = auth.tokenDigest !== undefined && match !== null && timingSafeEqual(digest(match[1]!), auth.tokenDigest);
    if (!ok) throw new SigwallError('SIGWALL_ERR_UNAUTHORIZED', 'this listener needs Authorization: Bearer <token> (the token in api.tcp.tokenFile)');
  });

  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = toApiError(error, log);
    void reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ code: 'SIGWALL_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  const policies = new PolicyService(deps.config, deps.store, deps.engine, deps.compile, log);
  const routes: RouteSpec[] = [];
  const context: RouteContext = {
    deps,
    policies,
    transport: (request) => (request.raw as TaggedRequest)[kTransport] ?? 'inject',
    listenerInfo: () => auth.listeners,
    route: (spec, handler) => {
      const url = spec.unprefixed ? spec.url : `${API_PREFIX}${spec.url}`;
      routes.push({ ...spec, url });
      if (spec.body) validators.set(`${spec.method} ${url} body`, spec.body);
      if (spec.querystring) validators.set(`${spec.method} ${url} querystring`, spec.querystring);
      if (spec.params) validators.set(`${spec.method} ${url} params`, spec.params);
      const jsonSchema = (schema: z.ZodType | undefined) => (schema ? z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) : undefined);
      app.route({
        method: spec.method,
        url,
        schema: {
          ...(spec.body ? { body: jsonSchema(spec.body) } : {}),
          ...(spec.querystring ? { querystring: jsonSchema(spec.querystring) } : {}),
          ...(spec.params ? { params: jsonSchema(spec.params) } : {}),
        },
        handler: handler as never,
      });
    },
  };

  registerEngineRoutes(context);
  registerPolicyRoutes(context);
  registerEventRoutes(context);

  const document = () => buildOpenApiDocument(routes, deps.config);
  context.route({ method: 'GET', url: '/openapi.json', unprefixed: true, summary: 'This OpenAPI 3.1 document', tags: ['meta'], response: z.unknown() }, async () => document());
  return app;
}

export interface ApiListener {
  socket: string;
  tcp: { host: string; port: number } | null;
  close(): Promise<void>;
}

function answersOn(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const client = connect(socket);
    client.once('connect', () => {
      client.destroy();
      resolve(true);
    });
    client.once('error', () => resolve(false));
  });
}

function listen(server: Server, options: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function readToken(file: string): Buffer {
  let text: string;
  try {
    const mode = statSync(file).mode;
    // Like ssh with a private key: a token others can read is no secret.
    if ((mode & 0o077) !== 0) {
      throw new SigwallError('SIGWALL_ERR_CONFIG', `api.tcp.tokenFile ${file}: readable by group or others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`, { file });
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof SigwallError) throw error;
    throw new SigwallError('SIGWALL_ERR_CONFIG', `api.tcp.tokenFile ${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file });
  }
  const token = text.split('\n')[0]!.trim();
  if (token.length < 16) throw new SigwallError('SIGWALL_ERR_CONFIG', `api.tcp.tokenFile ${file}: the token (first line) must be at least 16 characters`, { file });
  return digest(token);
}

// Starts the listeners of config.api. Refuses to start when another instance answers on the
// socket; removes a stale socket file (one nothing listens on) left by a crash.
export async function listenApi(app: FastifyInstance, api: ApplianceConfig['api']): Promise<ApiListener> {
  const auth = (app as ApiInstance)[kAuth];
  if (!auth) throw new SigwallError('SIGWALL_ERR_CONFIG', 'listenApi needs an application made by buildApi');
  const tokenDigest = api.tcp ? readToken(api.tcp.tokenFile) : undefined;
  await app.ready();

  const socket = api.socket;
  if (existsSync(socket)) {
    if (!lstatSync(socket).isSocket()) {
      throw new SigwallError('SIGWALL_ERR_CONFIG', `api.socket ${socket}: exists and is not a socket; refusing to replace it`, { file: socket });
    }
    if (await answersOn(socket)) {
      throw new SigwallError('SIGWALL_ERR_CONFLICT', `api.socket ${socket}: another sigwall instance answers on it; stop it first`, { file: socket });
    }
    unlinkSync(socket); // stale: left by a process that died without closing it
  }

  const handler = (transport: 'unix' | 'tcp') => (request: IncomingMessage, response: ServerResponse) => {
    (request as TaggedRequest)[kTransport] = transport;
    app.routing(request, response);
  };
  const unixServer = createServer(handler('unix'));
  // The socket is created with the mode the umask leaves; narrow the umask while it is created
  // so there is no moment where it is more open than api.socketMode.
  const umask = process.umask(0o777 & ~api.socketMode);
  try {
    await listen(unixServer, { path: socket });
  } catch (error) {
    throw new SigwallError('SIGWALL_ERR_CONFIG', `api.socket ${socket}: cannot listen: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file: socket });
  } finally {
    process.umask(umask);
  }
  chmodSync(socket, api.socketMode);

  let tcpServer: Server | undefined;
  let tcp: ApiListener['tcp'] = null;
  if (api.tcp) {
    auth.tokenDigest = tokenDigest;
    tcpServer = createServer(handler('tcp'));
    try {
      await listen(tcpServer, { host: api.tcp.host, port: api.tcp.port });
    } catch (error) {
      await closeServer(unixServer);
      throw new SigwallError('SIGWALL_ERR_CONFIG', `api.tcp ${api.tcp.host}:${api.tcp.port}: cannot listen: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const address = tcpServer.address();
    const port = typeof address === 'object' && address ? address.port : api.tcp.port;
    tcp = { host: api.tcp.host, port };
  }
  auth.listeners = { socket, tcp: tcp ? `http://${tcp.host.includes(':') ? `[${tcp.host}]` : tcp.host}:${tcp.port}` : null };

  let closed = false;
  return {
    socket,
    tcp,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([closeServer(unixServer), tcpServer ? closeServer(tcpServer) : Promise.resolve()]);
      if (existsSync(socket)) unlinkSync(socket);
      await app.close();
    },
  };
}
