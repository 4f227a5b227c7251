// Event routes: recent events with filters, and the live stream as server-sent events
// (https://html.spec.whatwg.org/multipage/server-sent-events.html): one `event: engine-event`
// per event with its id (so a client resumes with Last-Event-ID), a comment line as heartbeat,
// `event: lost` when the hub dropped events this reader was too slow for.
import { z } from 'zod';
import { SigwallError } from '../../errors.js';
import { EventFilter } from '../../events/hub.js';
import type { RouteContext } from '../server.js';
import { EventsQuery, EventsResponse, StreamQuery } from '../schemas.js';

export function registerEventRoutes({ deps, route }: RouteContext): void {
  route({ method: 'GET', url: '/events', summary: 'Recent events, oldest first, filtered', tags: ['events'], querystring: EventsQuery, response: EventsResponse }, async (request) => {
    const { limit, ...filter } = request.query;
    return { events: deps.events.recent(filter, limit) };
  });

  route(
    {
      method: 'GET',
      url: '/events/stream',
      summary: 'Live events as server-sent events (text/event-stream)',
      description: 'Filters as GET /events. Each event: `id: <event id>`, `event: engine-event`, `data: <EngineEvent JSON>`. Heartbeat: a comment line every heartbeatMs. A Last-Event-ID header resumes after that event.',
      tags: ['events'],
      querystring: StreamQuery,
      response: z.string(),
      responseType: 'text/event-stream',
    },
    async (request, reply) => {
      const { heartbeatMs, ...query } = request.query;
      const lastEventId = request.headers['last-event-id'];
      const filter = EventFilter.safeParse({ ...query, ...(typeof lastEventId === 'string' && lastEventId !== '' ? { afterId: lastEventId } : {}) });
      if (!filter.success) throw new SigwallError('SIGWALL_ERR_BAD_REQUEST', `Last-Event-ID: ${filter.error.issues[0]?.message ?? 'invalid'}`);

      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      response.write(`: sigwall event stream\nretry: 2000\n\n`);
      let reportedLost = 0;
      let closed = false;
      // With Last-Event-ID (afterId) the hub first replays the retained events after it, then live ones.
      const subscription = deps.events.subscribe(filter.data, (event, lost) => {
        if (closed) return false;
        let text = '';
        if (lost > reportedLost) {
          text += `event: lost\ndata: ${JSON.stringify({ lost: lost - reportedLost })}\n\n`;
          reportedLost = lost;
        }
        text += `id: ${event.id}\nevent: engine-event\ndata: ${JSON.stringify(event)}\n\n`;
        // false: the socket buffer is full; the hub queues (bounded) until 'drain'.
        return response.write(text);
      });
      const onDrain = () => subscription.resume();
      response.on('drain', onDrain);
      const heartbeat = setInterval(() => {
        if (!closed) response.write(`: heartbeat ${new Date().toISOString()}\n\n`);
      }, heartbeatMs);
      const cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        subscription.unsubscribe();
        response.off('drain', onDrain);
      };
      request.raw.on('close', cleanup);
      response.on('close', cleanup);
      response.on('error', cleanup);
    },
  );
}
