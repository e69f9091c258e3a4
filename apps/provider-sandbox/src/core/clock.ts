/**
 * The sandbox's business clock. Everything a provider does over time — new transactions, payment
 * statuses advancing, callback retries — is a task scheduled on it. In `manual` mode time moves
 * only when a test advances it (so tests never sleep); in `realtime` mode it follows the wall
 * clock, optionally faster.
 */
export type ClockMode = 'manual' | 'realtime';

export interface ClockTask {
  readonly at: number;
  readonly label: string;
  readonly run: () => void;
}

export interface AdvanceResult {
  now: number;
  tasksRun: number;
}

interface QueuedTask extends ClockTask {
  readonly sequence: number;
  cancelled: boolean;
}

export interface TaskHandle {
  cancel(): void;
}

const REALTIME_TICK_MS = 250;

export class SandboxClock {
  private current: number;
  private sequence = 0;
  private readonly heap: QueuedTask[] = [];
  private timer: NodeJS.Timeout | undefined;
  private mode: ClockMode = 'manual';
  private speed = 1;
  private advancing = false;

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  nowDate(): Date {
    return new Date(this.current);
  }

  get status(): { now: string; mode: ClockMode; speed: number; pendingTasks: number } {
    return { now: new Date(this.current).toISOString(), mode: this.mode, speed: this.speed, pendingTasks: this.pendingTasks };
  }

  get pendingTasks(): number {
    return this.heap.filter((task) => !task.cancelled).length;
  }

  /** Runs `run` when the clock reaches `at` (immediately on the next advance if `at` has passed). */
  schedule(at: number, label: string, run: () => void): TaskHandle {
    const task: QueuedTask = { at, label, run, sequence: this.sequence++, cancelled: false };
    this.push(task);
    return {
      cancel: () => {
        task.cancelled = true;
      },
    };
  }

  scheduleIn(delayMs: number, label: string, run: () => void): TaskHandle {
    return this.schedule(this.current + delayMs, label, run);
  }

  /** Runs `run` every `intervalMs` of clock time, first at now + intervalMs. */
  every(intervalMs: number, label: string, run: () => void): TaskHandle {
    let handle: TaskHandle | undefined;
    let stopped = false;
    const tick = (): void => {
      if (stopped) return;
      run();
      handle = this.scheduleIn(intervalMs, label, tick);
    };
    handle = this.scheduleIn(intervalMs, label, tick);
    return {
      cancel: () => {
        stopped = true;
        handle?.cancel();
      },
    };
  }

  /** Moves time forward by `ms`, running every task due on the way in time order. */
  advance(ms: number): AdvanceResult {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    return this.advanceTo(this.current + ms);
  }

  advanceTo(target: number): AdvanceResult {
    if (this.advancing) throw new Error('the clock is already advancing (a task tried to advance it)');
    this.advancing = true;
    let tasksRun = 0;
    try {
      for (;;) {
        const next = this.heap[0];
        if (next === undefined || next.at > target) break;
        this.pop();
        if (next.cancelled) continue;
        // Time stands at the task's moment while it runs, so what it records carries that time.
        this.current = Math.max(this.current, next.at);
        next.run();
        tasksRun += 1;
      }
      this.current = Math.max(this.current, target);
    } finally {
      this.advancing = false;
    }
    return { now: this.current, tasksRun };
  }

  setMode(mode: ClockMode, speed = 1): void {
    this.stopTimer();
    this.mode = mode;
    this.speed = speed;
    if (mode === 'realtime') {
      const wallStart = Date.now();
      const clockStart = this.current;
      this.timer = setInterval(() => {
        // Follows the wall clock from the switch, in whole milliseconds; an admin advance in
        // between moves the clock ahead, and it then waits for the wall clock to catch up.
        const target = clockStart + Math.floor((Date.now() - wallStart) * this.speed);
        if (!this.advancing && target > this.current) this.advanceTo(target);
      }, REALTIME_TICK_MS);
      this.timer.unref();
    }
  }

  stop(): void {
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private before(x: QueuedTask, y: QueuedTask): boolean {
    return x.at < y.at || (x.at === y.at && x.sequence < y.sequence);
  }

  private push(task: QueuedTask): void {
    const heap = this.heap;
    heap.push(task);
    let index = heap.length - 1;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (parent === undefined || !this.before(task, parent)) break;
      heap[index] = parent;
      heap[parentIndex] = task;
      index = parentIndex;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      const leftTask = heap[left];
      const rightTask = heap[right];
      const smallestTask = (): QueuedTask => heap[smallest] as QueuedTask;
      if (leftTask !== undefined && this.before(leftTask, smallestTask())) smallest = left;
      if (rightTask !== undefined && this.before(rightTask, smallestTask())) smallest = right;
      if (smallest === index) break;
      heap[index] = smallestTask();
      heap[smallest] = last;
      index = smallest;
    }
  }
}
