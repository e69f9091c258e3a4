import fc from 'fast-check';
import { Book } from './book';
import { asset } from './money';

type Operation = { kind: 'post'; amount: bigint; pending: boolean } | { kind: 'settle'; index: number; book: boolean };

describe('book of accounts', () => {
  it('keeps balance = sum of booked entries and available = balance − pending debits, whatever happens', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('post' as const), amount: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), pending: fc.boolean() }),
      fc.record({ kind: fc.constant('settle' as const), index: fc.nat(), book: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations: Operation[]) => {
        const book = new Book<undefined>();
        book.openAccount('a', asset('EUR', 2), 0);
        const pending: string[] = [];
        operations.forEach((op, step) => {
          if (op.kind === 'post') {
            const id = `e${step}`;
            book.post({ id, accountId: 'a', amount: op.amount, kind: 'x', description: '', at: step, status: op.pending ? 'pending' : 'booked', meta: undefined });
            if (op.pending) pending.push(id);
          } else if (pending.length > 0) {
            const [id] = pending.splice(op.index % pending.length, 1);
            if (id !== undefined) {
              if (op.book) book.book(id, step);
              else book.voidEntry(id, step);
            }
          }
        });
        const entries = book.entries('a');
        const booked = entries.filter((entry) => entry.status === 'booked').reduce((sum, entry) => sum + entry.amount, 0n);
        const pendingDebits = entries.filter((entry) => entry.status === 'pending' && entry.amount < 0n).reduce((sum, entry) => sum + entry.amount, 0n);
        expect(book.balance('a')).toBe(booked);
        expect(book.available('a')).toBe(booked + pendingDebits);
        expect(book.onHold('a')).toBe(-pendingDebits);
      }),
    );
  });

  it('records the balance after each booking and refuses to settle an entry twice', () => {
    const book = new Book<undefined>();
    book.openAccount('a', asset('USD', 2), 0);
    book.post({ id: 'e1', accountId: 'a', amount: 500n, kind: 'x', description: '', at: 1, status: 'booked', meta: undefined });
    const held = book.post({ id: 'e2', accountId: 'a', amount: -200n, kind: 'x', description: '', at: 2, status: 'pending', meta: undefined });
    expect(held.balanceAfter).toBeUndefined();
    book.book('e2', 3);
    expect(held).toMatchObject({ status: 'booked', settledAt: 3, balanceAfter: 300n });
    expect(() => book.voidEntry('e2', 4)).toThrow('not pending');
    expect(() => book.balance('nope')).toThrow('unknown account nope');
  });
});
