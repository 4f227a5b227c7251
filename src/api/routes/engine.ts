// Routes about the appliance as a whole: health, status, counters, metrics, the engine's
// start/stop and operating mode, the audit log.
import { z } from 'zod';
import { SigwallError } from '../../errors.js';
import type { RouteContext } from '../server.js';
import { AuditQuery, AuditResponse, EngineActionResponse, EngineCounters, EngineModeBody, EngineModeResponse, HealthResponse, StatusResponse } from '../schemas.js';

export function registerEngineRoutes({ deps, policies, route, transport, listenerInfo }: RouteContext): void {
  const { engine, store } = deps;

  route({ method: 'GET', url: '/health', summary: 'Liveness: is the engine in a working state', tags: ['system'], response: HealthResponse }, async () => {
    const state = engine.status().state;
    return { status: state === 'failed' ? 'degraded' : 'ok', engine: state, activeVersion: store.activeId() ?? null };
  });

  route({ method: 'GET', url: '/status', summary: 'Engine state, active policy version, configuration policy drift', tags: ['system'], response: StatusResponse }, async () => {
    const status = engine.status();
    const active = store.activeId();
    const record = active === undefined ? null : store.record(active);
    const expected = policies.expectedTableSha256();
    return {
      name: deps.config.name,
      engine: status,
      policy: {
        activeVersion: record,
        engineTableMatches: expected !== null && status.table ? status.table.sha256 === expected : null,
      },
      operatingMode: policies.operatingMode(),
      configPolicy: policies.configPolicyState(),
      storeWarnings: store.warnings,
      api: listenerInfo(),
    };
  });

  route({ method: 'GET', url: '/counters', summary: 'Engine counters, summed over workers', tags: ['system'], response: EngineCounters }, async () => engine.counters());

  route(
    { method: 'GET', url: '/metrics', summary: 'Prometheus text exposition', tags: ['system'], response: z.string(), responseType: 'text/plain; version=0.0.4' },
    async (_request, reply) => {
      void reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      return deps.metrics();
    },
  );

  const who = (request: Parameters<Parameters<RouteContext['route']>[1]>[0]) => {
    const body = request.body as { author?: unknown } | undefined;
    return typeof body?.author === 'string' && body.author !== '' ? body.author : `api (${transport(request)})`;
  };
  const EngineActionBody = z.object({ author: z.string().trim().min(1).max(200).optional() }).strict().optional();

  route(
    { method: 'POST', url: '/engine/start', summary: 'Start the engine', tags: ['engine'], body: EngineActionBody, response: EngineActionResponse, errors: [409] },
    async (request) => {
      const state = engine.status().state;
      if (state === 'running' || state === 'starting') throw new SigwallError('SIGWALL_ERR_CONFLICT', `the engine is already ${state}`, { state });
      if (state === 'stopping') throw new SigwallError('SIGWALL_ERR_CONFLICT', 'the engine is stopping; start it once it has stopped', { state });
      await engine.start();
      store.audit({ who: who(request), via: transport(request), action: 'engine-start' });
      return { status: engine.status() };
    },
  );

  route(
    { method: 'POST', url: '/engine/stop', summary: 'Stop the engine (the API stays up)', tags: ['engine'], body: EngineActionBody, response: EngineActionResponse, errors: [409] },
    async (request) => {
      const state = engine.status().state;
      if (state !== 'running' && state !== 'starting' && state !== 'finished') throw new SigwallError('SIGWALL_ERR_CONFLICT', `the engine is not running (${state})`, { state });
      const summary = await engine.stop();
      store.audit({ who: who(request), via: transport(request), action: 'engine-stop' });
      return { status: summary.status, counters: summary.counters };
    },
  );

  route(
    {
      method: 'POST',
      url: '/engine/mode',
      summary: 'Switch an inline appliance between inline (enforce) and monitor (observe: forward everything, report would-be drops as shadow hits)',
      description:
        'Runtime state: the table is swapped at a burst boundary, no port is touched, and a restart comes back in config.mode. ' +
        'Refused (409) on offline and monitor appliances, and when the appliance is already in that mode.',
      tags: ['engine'],
      body: EngineModeBody,
      response: EngineModeResponse,
      errors: [409],
    },
    async (request) => policies.setMode(request.body.mode, { who: who(request), via: transport(request) }, request.body.comment),
  );

  route({ method: 'GET', url: '/audit', summary: 'The audit log (most recent last)', tags: ['system'], querystring: AuditQuery, response: AuditResponse }, async (request) => ({
    entries: store.auditEntries(request.query.limit),
  }));
}
