import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the receiver got. */
export interface ReceivedCallback {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CallbackAnswer {
  status?: number;
  body?: string;
  /** Wait this long (wall clock) before answering. */
  delayMs?: number;
}

/**
 * A small local HTTP server standing in for finmesh's callback ingress in tests: it records what
 * the sandbox sends and answers as the test says.
 */
export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  answer: (callback: ReceivedCallback) => CallbackAnswer = () => ({ status: 200, body: 'ok' });
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const callback = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.received.push(callback);
        const answer = this.answer(callback);
        const respond = (): void => {
          response.statusCode = answer.status ?? 200;
          response.end(answer.body ?? '');
        };
        if (answer.delayMs === undefined) {
          respond();
          return;
        }
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          respond();
        }, answer.delayMs);
        this.timers.add(timer);
      });
    });
  }

  static async start(): Promise<CallbackReceiver> {
    const receiver = new CallbackReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/callbacks`;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
