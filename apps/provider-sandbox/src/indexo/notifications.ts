import { signStandardWebhook } from '@finmesh/signing';
import type { SandboxContext } from '../context';
import type { Random } from '../core/random';
import { iso } from '../core/time';
import { serializeJson } from '../http/json';
import type { NotificationTarget } from './model';

/**
 * Berlin Group status notifications to the TPP-Notification-URI given at initiation, filtered by
 * TPP-Notification-Content-Preferred (`status=SCA,PROCESS,LAST`).
 */
export interface StatusNotification {
  kind: 'sca' | 'process';
  /** True for a status after which nothing changes (finalised, failed, ACSC, RJCT, valid, rejected). */
  final: boolean;
  eventType: string;
  body: Record<string, unknown>;
}

export function parseNotificationTarget(uri: string | undefined, preferred: string | undefined): NotificationTarget | undefined | 'invalid' {
  if (uri === undefined) return undefined;
  try {
    const parsed = new URL(uri);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'invalid';
  } catch {
    return 'invalid';
  }
  if (preferred === undefined) return { uri, sca: true, process: true, lastOnly: false };
  const match = /^status=([A-Za-z,]+)$/.exec(preferred.replace(/\s+/g, ''));
  if (!match?.[1]) return 'invalid';
  const wanted = new Set(match[1].toUpperCase().split(','));
  return { uri, sca: wanted.has('SCA'), process: wanted.has('PROCESS'), lastOnly: wanted.has('LAST') };
}

export class IndexoNotifier {
  constructor(
    private readonly ctx: SandboxContext,
    private readonly ids: Random,
  ) {}

  notify(target: NotificationTarget | undefined, notification: StatusNotification): void {
    if (!target) return;
    if (notification.kind === 'sca' ? !target.sca : !target.process) return;
    if (target.lastOnly && !notification.final) return;
    const notificationId = this.ids.uuid();
    const body = serializeJson({ ...notification.body, occurredAt: iso(this.ctx.clock.now()) });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': notificationId };
    const secrets = this.ctx.options.indexo.notificationSigningSecrets;
    if (secrets.length > 0) {
      Object.assign(headers, signStandardWebhook({ id: notificationId, timestamp: new Date(this.ctx.options.wallClock()), body }, secrets));
    }
    this.ctx.callbacks.enqueue({ provider: 'indexo', eventType: notification.eventType, url: target.uri, headers, body });
  }
}
