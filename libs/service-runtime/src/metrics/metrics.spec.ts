import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter } from '../http/fastify-adapter';
import { MetricsModule, MetricsService } from './metrics';

describe('metrics', () => {
  it('prefixes every metric and keeps one registry per service', async () => {
    const ingress = new MetricsService({ prefix: 'finmesh_probe_a_', collectDefaultMetrics: false });
    const ledger = new MetricsService({ prefix: 'finmesh_probe_b_', collectDefaultMetrics: false });
    const accepted = ingress.counter({ name: 'accepted_total', help: 'accepted', labelNames: ['source'] });
    ledger.counter({ name: 'accepted_total', help: 'accepted' });
    accepted.inc({ source: 'acme' }, 2);
    ingress.histogram({ name: 'latency_seconds', help: 'latency' }).observe(0.004);
    const text = await ingress.metrics();
    expect(text).toContain('finmesh_probe_a_accepted_total{source="acme"} 2');
    expect(text).toContain('finmesh_probe_a_latency_seconds_bucket{le="0.005"} 1');
    expect(text).not.toContain('finmesh_probe_b_');
  });

  it('refuses a prefix that is not a Prometheus name', () => {
    expect(() => new MetricsService({ prefix: 'finmesh-ingress' })).toThrow(/Prometheus name/);
  });

  it('serves /metrics with process metrics and default labels', async () => {
    const service = new MetricsService({ prefix: 'finmesh_probe_', defaultLabels: { service: 'probe' } });
    service.gauge({ name: 'queue_depth', help: 'queued items' }).set(3);

    @Module({ imports: [MetricsModule.forRoot(service)] })
    class ProbeModule {}
    const app = await NestFactory.create<NestFastifyApplication>(ProbeModule, createFastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      const response = await app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(response.body).toContain('finmesh_probe_queue_depth{service="probe"} 3');
      expect(response.body).toMatch(/finmesh_probe_process_cpu_seconds_total\{service="probe"\}/);
      expect(app.get(MetricsService)).toBe(service);
    } finally {
      await app.close();
    }
  });
});
