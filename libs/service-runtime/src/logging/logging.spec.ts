import { Controller, Get, Module, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { expectEventually } from '@finmesh/testing';
import { LoggingModule } from './logging.module';
import { createFastifyAdapter } from '../http/fastify-adapter';
import { censorSensitive } from './redaction';

const SECRETS = {
  authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.sig-hunter2',
  callbackToken: 'xnd-callback-token-hunter2',
  webhookSignature: 'v1,aHVudGVyMi1zaWduYXR1cmU=',
  apiSignature: 'deadbeefhunter2deadbeef',
  cookie: 'session=hunter2-session',
  password: 'p@ss-hunter2',
  iban: 'DE89370400440532013000',
  accountNumber: '0532013000',
  queryToken: 'query-token-hunter2',
};

@Controller()
class ProbeController {
  constructor(private readonly logger: PinoLogger) {}

  @Get('probe')
  probe(@Req() request: FastifyRequest): { requestId: string } {
    this.logger.info(
      {
        body: { password: SECRETS.password, iban: SECRETS.iban, beneficiary: { accountNumber: SECRETS.accountNumber } },
        token: SECRETS.callbackToken,
      },
      'handled a probe',
    );
    return { requestId: request.id };
  }

  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}

describe('LoggingModule', () => {
  const lines: string[] = [];
  let app: NestFastifyApplication;

  beforeAll(async () => {
    @Module({
      imports: [
        LoggingModule.forRoot({
          service: 'probe',
          level: 'info',
          destination: { write: (line: string) => lines.push(line) },
        }),
      ],
      controllers: [ProbeController],
    })
    class ProbeModule {}

    app = await NestFactory.create<NestFastifyApplication>(
      ProbeModule,
      createFastifyAdapter(),
      { bufferLogs: true },
    );
    app.useLogger(app.get(Logger));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    lines.length = 0;
  });

  const parsed = (): Array<Record<string, unknown>> => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  // The access line is written when the response has finished, which may be just after inject resolves.
  const completedLine = (): Promise<Record<string, unknown>> =>
    expectEventually(() => {
      const line = parsed().find((entry) => entry['msg'] === 'request completed');
      if (line === undefined) throw new Error('no access log line yet');
      return line;
    });

  it('writes JSON lines without a single secret, with the secrets present but redacted', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/probe?token=${SECRETS.queryToken}`,
      headers: {
        authorization: SECRETS.authorization,
        'x-callback-token': SECRETS.callbackToken,
        'webhook-signature': SECRETS.webhookSignature,
        'x-api-signature': SECRETS.apiSignature,
        cookie: SECRETS.cookie,
        'user-agent': 'probe-agent',
      },
    });
    expect(response.statusCode).toBe(200);
    const completed = await completedLine();
    const output = lines.join('');
    for (const value of Object.values(SECRETS)) expect(output).not.toContain(value);
    for (const part of ['hunter2', '0532013000']) expect(output).not.toContain(part);

    const entries = parsed();
    const handled = entries.find((entry) => entry['msg'] === 'handled a probe');
    expect(handled).toMatchObject({
      level: 'info',
      service: 'probe',
      body: { password: '[REDACTED]', iban: '[REDACTED]', beneficiary: { accountNumber: '[REDACTED]' } },
      token: '[REDACTED]',
    });
    expect(completed).toMatchObject({
      req: {
        method: 'GET',
        path: '/probe',
        headers: {
          authorization: '[REDACTED]',
          'x-callback-token': '[REDACTED]',
          'webhook-signature': '[REDACTED]',
          'x-api-signature': '[REDACTED]',
          cookie: '[REDACTED]',
          'user-agent': 'probe-agent',
        },
      },
      res: { statusCode: 200 },
    });
  });

  it('uses one request id for Fastify, the log lines and the response header, and adds the correlation id', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/probe',
      headers: { 'x-request-id': 'req-42', 'x-correlation-id': 'sync-run-7' },
    });
    expect(response.headers['x-request-id']).toBe('req-42');
    expect(response.json()).toEqual({ requestId: 'req-42' });
    expect(await completedLine()).toMatchObject({ req: { id: 'req-42' }, correlationId: 'sync-run-7' });
  });

  it('replaces a request id that is not a sane token', async () => {
    const response = await app.inject({ method: 'GET', url: '/probe', headers: { 'x-request-id': 'evil id\u0007 with spaces' } });
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await completedLine()).toMatchObject({ correlationId: id });
  });

  it('does not log successful probes', async () => {
    await app.inject({ method: 'GET', url: '/health/live' });
    // A request after the probe is logged; once its line is there, the probe's would be too.
    await app.inject({ method: 'GET', url: '/probe', headers: { 'x-request-id': 'after-probe' } });
    await completedLine();
    expect(parsed().filter((entry) => entry['msg'] === 'request completed').map((entry) => entry['req'])).toEqual([
      expect.objectContaining({ id: 'after-probe' }),
    ]);
  });
});

describe('LoggingModule with request context', () => {
  it('binds the lines written while handling a request to it', async () => {
    const lines: string[] = [];
    @Module({
      imports: [
        LoggingModule.forRoot({
          service: 'probe',
          level: 'info',
          requestContext: true,
          destination: { write: (line: string) => lines.push(line) },
        }),
      ],
      controllers: [ProbeController],
    })
    class ContextModule {}
    const app = await NestFactory.create<NestFastifyApplication>(ContextModule, createFastifyAdapter(), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      await app.inject({ method: 'GET', url: '/probe', headers: { 'x-request-id': 'ctx-1', 'x-correlation-id': 'corr-9' } });
      const handled = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry['msg'] === 'handled a probe');
      expect(handled).toMatchObject({ req: { id: 'ctx-1', method: 'GET', path: '/probe' }, correlationId: 'corr-9' });
    } finally {
      await app.close();
    }
  });
});

describe('censorSensitive', () => {
  it('replaces sensitive values at any depth, in arrays too, whatever the case of the key', () => {
    const input = {
      user: 'alice',
      Password: 'p',
      nested: { deeper: { api_key: 'k', list: [{ IBAN: 'DE89370400440532013000', note: 'fine' }] } },
    };
    expect(censorSensitive(input)).toEqual({
      user: 'alice',
      Password: '[REDACTED]',
      nested: { deeper: { api_key: '[REDACTED]', list: [{ IBAN: '[REDACTED]', note: 'fine' }] } },
    });
    expect(input.Password).toBe('p');
  });

  it('returns objects without secrets as they are, and leaves class instances to their serializers', () => {
    const clean = { a: 1, b: { c: [1, 2] } };
    expect(censorSensitive(clean)).toBe(clean);
    const error = Object.assign(new Error('boom'), { token: 't' });
    expect(censorSensitive({ err: error })).toEqual({ err: error });
  });
});
