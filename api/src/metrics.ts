/** Prometheus metrics for /metrics: requests, durations, open sockets, active subscriptions. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    wsConnections: new Gauge({ name: 'ws_connections_open', help: 'Open WebSocket connections', registers: [registry] }),
    subscriptions: new Gauge({
      name: 'graphql_subscriptions_active',
      help: 'Active GraphQL subscriptions (WebSocket and SSE)',
      registers: [registry],
    }),
    realtimeStreams: new Gauge({
      name: 'realtime_streams_listened',
      help: 'Streams with local subscribers on this instance',
      registers: [registry],
    }),
    fanoutGroups: new Gauge({
      name: 'fanout_groups',
      help: 'Fan-out groups: subscribers of one stream and operation served together',
      registers: [registry],
    }),
    fanoutRenders: new Gauge({
      name: 'fanout_renders',
      help: 'Payloads rendered by fan-out groups (one per event per group)',
      registers: [registry],
    }),
    sharedRenders: new Counter({
      name: 'graphql_shared_renders_total',
      help: 'Shared-payload subscription events rendered (once per event per operation)',
      registers: [registry],
    }),
    sharedPayloads: new Counter({
      name: 'graphql_shared_payloads_total',
      help: 'Shared-payload subscription events sent (once per subscriber)',
      registers: [registry],
    }),
    fanoutDeliveries: new Gauge({ name: 'fanout_deliveries', help: 'Payloads sent to fan-out group members', registers: [registry] }),
    slowConsumers: new Counter({
      name: 'ws_slow_consumer_closes_total',
      help: 'Sockets closed because their send buffer passed the limit',
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
