import type { Random } from '../core/random';
import type { DataSize } from '../core/size';
import { DAY } from '../core/time';
import { latvianIban } from './iban';
import { SANDBOX_PSU_ID, type IndexoAccount } from './model';
import { IndexoState } from './state';

const FIRST_NAMES = ['Anna', 'Janis', 'Liga', 'Martins', 'Ilze', 'Karlis', 'Zane', 'Roberts'];
const LAST_NAMES = ['Berzina', 'Kalnins', 'Ozola', 'Liepins', 'Krumina', 'Vitols'];
const MERCHANTS = ['Rimi Latvija', 'Maxima', 'Circle K', 'Bolt', 'Lattelecom', 'Airbaltic', 'Narvesen'];
const EMPLOYERS = ['SIA Tech Riga', 'AS Baltic Logistics', 'SIA Green Energy'];
const COUNTERPARTY_POOL = 24;

/**
 * PSUs with personal codes (`XXXXXX-XXXXX`), two accounts each, and the documentation's sandbox
 * PSU `SANDBOX_INDICATOR_1`; every account has an opening salary credit and a history of card
 * payments and incoming transfers.
 */
export function seedIndexo(random: Random, size: DataSize, startTime: number): IndexoState {
  const state = new IndexoState(random.fork('ids'));
  const draw = random.fork('data');
  // Counterparty accounts recur (the same shops and people), which also keeps large seeds cheap.
  for (let i = 0; i < COUNTERPARTY_POOL; i += 1) state.counterpartyIbans.push(latvianIban(i % 2 === 0 ? 'HABA' : 'UNLA', draw.digits(13)));
  const openedAt = startTime - size.historyDays * DAY;
  const psuCount = Math.max(1, Math.ceil(size.accounts / 2));
  const psus = [state.addPsu(SANDBOX_PSU_ID, 'Sandbox User')];
  for (let i = 0; i < psuCount; i += 1) {
    psus.push(state.addPsu(`${draw.digits(6)}-${draw.digits(5)}`, `${draw.pick(FIRST_NAMES)} ${draw.pick(LAST_NAMES)}`));
  }
  for (const psu of psus) {
    const count = psu.id === SANDBOX_PSU_ID ? 2 : Math.min(2, size.accounts);
    for (let i = 0; i < count; i += 1) {
      const account = state.openAccount(psu, openedAt + draw.int(0, DAY));
      seedHistory(state, draw, account, openedAt, startTime, size.transactionsPerAccount);
    }
  }
  return state;
}

export function seedHistory(state: IndexoState, draw: Random, account: IndexoAccount, from: number, to: number, count: number): void {
  state.post(account, {
    amount: draw.bigint(200_000n, 1_000_000n),
    at: from,
    status: 'booked',
    counterpartyName: draw.pick(EMPLOYERS),
    counterpartyIban: counterpartyIban(state, draw),
    remittance: 'Salary',
    bankTransactionCode: 'PMNT-RCDT-ESCT',
  });
  const times = Array.from({ length: count }, () => from + Math.floor(draw.next() * (to - from))).sort((a, b) => a - b);
  for (const at of times) postActivity(state, draw, account, at);
}

/** A card payment or an incoming SEPA transfer, never overdrawing. */
export function postActivity(state: IndexoState, draw: Random, account: IndexoAccount, at: number): void {
  const amount = draw.bigint(100n, 25_000n);
  const credit = draw.chance(0.3) || amount > state.book.available(account.resourceId);
  state.post(account, {
    amount: credit ? amount : -amount,
    at,
    status: 'booked',
    counterpartyName: credit ? `${draw.pick(FIRST_NAMES)} ${draw.pick(LAST_NAMES)}` : draw.pick(MERCHANTS),
    counterpartyIban: counterpartyIban(state, draw),
    remittance: credit ? 'Transfer' : `Card payment ${draw.digits(4)}`,
    bankTransactionCode: credit ? 'PMNT-RCDT-ESCT' : 'PMNT-CCRD-POSD',
  });
}

function counterpartyIban(state: IndexoState, draw: Random): string {
  return state.counterpartyIbans.length > 0 ? draw.pick(state.counterpartyIbans) : latvianIban('HABA', draw.digits(13));
}
