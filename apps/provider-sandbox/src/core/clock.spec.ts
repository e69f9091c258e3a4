import { SandboxClock } from './clock';

describe('sandbox clock', () => {
  it('runs due tasks in time order, at their own time, including tasks they schedule', () => {
    const clock = new SandboxClock(1_000);
    const log: string[] = [];
    const record = clock.define<{ name: string; then: string | null }>('record', ({ name, then }) => {
      log.push(`${name}@${clock.now()}`);
      if (then !== null) record.in(500, { name: then, then: null });
    });
    record.at(3_000, { name: 'c', then: null });
    record.at(2_000, { name: 'b', then: 'b2' });
    record.at(2_000, { name: 'b-second', then: null });
    record.at(9_000, { name: 'later', then: null });
    expect(clock.advance(2_500)).toEqual({ now: 3_500, tasksRun: 4 });
    expect(log).toEqual(['b@2000', 'b-second@2000', 'b2@2500', 'c@3000']);
    expect(clock.pendingTasks).toBe(1);
  });

  it('repeats with every() until cancelled, and skips cancelled tasks', () => {
    const clock = new SandboxClock(0);
    let ticks = 0;
    const add = clock.define<{ amount: number }>('add', ({ amount }) => (ticks += amount));
    const repeating = add.every(100, { amount: 1 });
    const once = add.in(50, { amount: 1000 });
    once.cancel();
    clock.advance(350);
    expect(ticks).toBe(3);
    repeating.cancel();
    clock.advance(1_000);
    expect(ticks).toBe(3);
  });

  it('never moves backwards and refuses to advance from inside a task', () => {
    const clock = new SandboxClock(0);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    clock.define('nested', () => clock.advance(5)).in(10, {});
    expect(() => clock.advance(20)).toThrow('already advancing');
  });

  it('advancing in steps runs the same tasks as advancing at once', () => {
    const run = (steps: number[]): number[] => {
      const clock = new SandboxClock(0);
      const seen: number[] = [];
      clock.define('tick', () => seen.push(clock.now())).every(70, {});
      for (const step of steps) clock.advance(step);
      return seen;
    };
    expect(run([1_000])).toEqual(run([100, 250, 650]));
  });
});

describe('sandbox clock snapshots', () => {
  it('saves pending one-shot tasks as data and runs them after a restore into another clock', () => {
    const ran: string[] = [];
    const build = (start: number): { clock: SandboxClock; settle: ReturnType<SandboxClock['define']> } => {
      const clock = new SandboxClock(start);
      const settle = clock.define<{ paymentId: string }>('payment.settle', ({ paymentId }) => ran.push(`${paymentId}@${clock.now()}`));
      clock.define('activity', () => ran.push('activity')).every(100, {});
      return { clock, settle };
    };
    const first = build(0);
    first.settle.in(500, { paymentId: 'p1' });
    first.settle.in(900, { paymentId: 'p2' }).cancel();
    first.clock.advance(200);
    const saved = first.clock.snapshot();
    expect(saved).toEqual({ now: 200, sequence: expect.any(Number), tasks: [{ at: 500, sequence: expect.any(Number), kind: 'payment.settle', args: { paymentId: 'p1' } }] });

    ran.length = 0;
    const second = build(0);
    second.clock.restore(structuredClone(saved));
    expect(second.clock.now()).toBe(200);
    second.clock.advance(300);
    // The recurring task the second clock had before the restore is replaced, like everything else.
    expect(ran).toEqual(['p1@500']);
  });

  it('refuses a snapshot with a task kind it does not know', () => {
    const clock = new SandboxClock(0);
    expect(() => clock.restore({ now: 5, sequence: 1, tasks: [{ at: 9, sequence: 0, kind: 'gone', args: {} }] })).toThrow('unknown kinds: gone');
  });

  it('refuses to define a kind twice', () => {
    const clock = new SandboxClock(0);
    clock.define('once', () => undefined);
    expect(() => clock.define('once', () => undefined)).toThrow('already defined');
  });
});

describe('sandbox clock in realtime mode', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('follows the wall clock at the given speed, running due tasks as it goes', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const clock = new SandboxClock(0);
    const ran: number[] = [];
    clock.define('task', () => ran.push(clock.now())).at(30_000, {});
    clock.setMode('realtime', 100);
    jest.advanceTimersByTime(500);
    clock.stop();
    expect(clock.now()).toBe(50_000);
    expect(ran).toEqual([30_000]);
    expect(clock.status.mode).toBe('realtime');
  });
});
