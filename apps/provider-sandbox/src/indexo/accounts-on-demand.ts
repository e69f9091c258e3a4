import { DAY } from '../core/time';
import { hasIbanFormat, isValidIban } from './iban';
import type { IndexoAccount } from './model';
import type { IndexoDeps } from './deps';
import { seedHistory } from './seed';

/**
 * The account behind an IBAN a PSU names (consent access, payment debtor). Under the documented
 * sandbox rules an IBAN INDEXO does not know yet is created for the PSU on the spot, with random
 * balance and transactions ("consent resource and linked balance & transaction data is created at
 * the same time"); otherwise it must be one of the PSU's accounts. Returns the problem as text.
 */
export function psuAccountByIban(deps: IndexoDeps, psuId: string, iban: string, requireChecksum: boolean): IndexoAccount | string {
  const normalised = iban.replace(/\s+/g, '').toUpperCase();
  if (requireChecksum ? !isValidIban(normalised) : !hasIbanFormat(normalised)) return `${iban} is not a valid IBAN.`;
  const existing = deps.state.accountByIban(normalised);
  if (existing) return existing.psuId === psuId ? existing : `The account ${normalised} is not accessible with this PSU-ID.`;
  const psu = deps.state.psus.get(psuId);
  if (!deps.ctx.options.indexo.sandboxRules || !psu) return `The account ${normalised} is not accessible with this PSU-ID.`;
  const now = deps.ctx.clock.now();
  const account = deps.state.openAccount(psu, now - 30 * DAY, normalised);
  seedHistory(deps.state, deps.random, account, now - 30 * DAY, now, 10);
  return account;
}
