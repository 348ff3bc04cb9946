import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CanActivate, Controller, ForbiddenException, Get, Logger, Module, Param, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MetricsModule, MetricsServer } from '../src/index.js';

class ClosedGuard implements CanActivate {
  canActivate(): boolean {
    throw new ForbiddenException('closed');
  }
}

@Controller('items')
class ItemsController {
  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Get(':id/secret')
  @UseGuards(ClosedGuard)
  secret(): string {
    return 'never';
  }
}

@Module({ imports: [MetricsModule.forRoot({ service: 'probe', host: '127.0.0.1', port: 0 })], controllers: [ItemsController] })
class ProbeHttpModule {}

let app: INestApplication;
let api: string;
let metricsUrl: string;

/** The value of one sample of the exposition text, or undefined when it is not there. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

before(async () => {
  Logger.overrideLogger(['error']);
  app = await NestFactory.create(ProbeHttpModule, { logger: ['error'] });
  app.setGlobalPrefix('api');
  await app.listen(0, '127.0.0.1');
  api = `${await app.getUrl()}/api`.replace('[::1]', '127.0.0.1');
  metricsUrl = app.get(MetricsServer).url;
});

after(async () => {
  await app?.close();
});

describe('metrics listener', () => {
  it('serves the Prometheus text format on GET /metrics, with process metrics and the service label', async () => {
    const response = await fetch(metricsUrl);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^process_cpu_user_seconds_total\{service="probe"\} /m);
    assert.match(text, /^# TYPE streamcaster_http_request_duration_seconds histogram$/m);
  });

  it('serves nothing else', async () => {
    const other = await fetch(metricsUrl.replace(/\/metrics$/, '/'));
    assert.equal(other.status, 404);
    const post = await fetch(metricsUrl, { method: 'POST' });
    assert.equal(post.status, 404);
  });
});

describe('HTTP request metrics', () => {
  it('labels requests with the route pattern, not the URL, also those a guard refuses and those no route takes', async () => {
    const before = await (await fetch(metricsUrl)).text();
    const count = (text: string, route: string, statusClass: string) =>
      sample(text, 'streamcaster_http_request_duration_seconds_count', { method: 'GET', route, status_class: statusClass }) ?? 0;

    for (const id of ['a1', 'b2', 'c3']) assert.equal((await fetch(`${api}/items/${id}`)).status, 200);
    assert.equal((await fetch(`${api}/items/a1/secret`)).status, 403);
    assert.equal((await fetch(`${api}/nothing/here`)).status, 404);

    const text = await (await fetch(metricsUrl)).text();
    assert.equal(count(text, '/api/items/:id', '2xx') - count(before, '/api/items/:id', '2xx'), 3);
    assert.equal(count(text, '/api/items/:id/secret', '4xx') - count(before, '/api/items/:id/secret', '4xx'), 1);
    assert.equal(count(text, 'unmatched', '4xx') - count(before, 'unmatched', '4xx'), 1);
    for (const id of ['a1', 'b2', 'c3']) assert.ok(!text.includes(id), `the id ${id} became a label`);
  });
});

describe('metrics listener shutdown', () => {
  it('is closed when the application closes', async () => {
    await app.close();
    await assert.rejects(fetch(metricsUrl), /fetch failed/);
  });
});
