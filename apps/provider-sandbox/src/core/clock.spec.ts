import { SandboxClock } from './clock';

describe('sandbox clock', () => {
  it('runs due tasks in time order, at their own time, including tasks they schedule', () => {
    const clock = new SandboxClock(1_000);
    const log: string[] = [];
    clock.schedule(3_000, 'c', () => log.push(`c@${clock.now()}`));
    clock.schedule(2_000, 'b', () => {
      log.push(`b@${clock.now()}`);
      clock.scheduleIn(500, 'b2', () => log.push(`b2@${clock.now()}`));
    });
    clock.schedule(2_000, 'b-second', () => log.push(`b-second@${clock.now()}`));
    clock.schedule(9_000, 'later', () => log.push('later'));
    expect(clock.advance(2_500)).toEqual({ now: 3_500, tasksRun: 4 });
    expect(log).toEqual(['b@2000', 'b-second@2000', 'b2@2500', 'c@3000']);
    expect(clock.pendingTasks).toBe(1);
  });

  it('repeats with every() until cancelled, and skips cancelled tasks', () => {
    const clock = new SandboxClock(0);
    let ticks = 0;
    const repeating = clock.every(100, 'tick', () => (ticks += 1));
    const once = clock.scheduleIn(50, 'once', () => (ticks += 1000));
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
    clock.scheduleIn(10, 'nested', () => clock.advance(5));
    expect(() => clock.advance(20)).toThrow('already advancing');
  });

  it('advancing in steps runs the same tasks as advancing at once', () => {
    const run = (steps: number[]): number[] => {
      const clock = new SandboxClock(0);
      const seen: number[] = [];
      clock.every(70, 'tick', () => seen.push(clock.now()));
      for (const step of steps) clock.advance(step);
      return seen;
    };
    expect(run([1_000])).toEqual(run([100, 250, 650]));
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
    clock.schedule(30_000, 'task', () => ran.push(clock.now()));
    clock.setMode('realtime', 100);
    jest.advanceTimersByTime(500);
    clock.stop();
    expect(clock.now()).toBe(50_000);
    expect(ran).toEqual([30_000]);
    expect(clock.status.mode).toBe('realtime');
  });
});
