/**
 * The sandbox's business clock. Everything a provider does over time — new transactions, payment
 * statuses advancing, callback retries — is a task scheduled on it. In `manual` mode time moves
 * only when a test advances it (so tests never sleep); in `realtime` mode it follows the wall
 * clock, optionally faster.
 */
export type ClockMode = 'manual' | 'realtime';

/**
 * What a task carries: plain data only, so a pending task can be saved with the sandbox's state
 * and run again after a restart (a closure could not be).
 */
export type TaskArgs = Readonly<Record<string, string | number | boolean | null>>;

export interface AdvanceResult {
  now: number;
  tasksRun: number;
}

export interface TaskHandle {
  cancel(): void;
}

/** A named kind of task with its handler; schedule it with its arguments. */
export interface TaskKind<A extends TaskArgs> {
  readonly kind: string;
  at(at: number, args: A): TaskHandle;
  in(delayMs: number, args: A): TaskHandle;
  /** Runs every `intervalMs` of clock time, first at now + intervalMs. */
  every(intervalMs: number, args: A): TaskHandle;
}

/** A pending one-shot task as saved in a snapshot. */
export interface SavedTask {
  at: number;
  sequence: number;
  kind: string;
  args: TaskArgs;
}

export interface ClockSnapshot {
  now: number;
  sequence: number;
  tasks: SavedTask[];
}

interface QueuedTask {
  at: number;
  sequence: number;
  readonly kind: string;
  readonly args: TaskArgs;
  readonly repeatMs?: number;
  /** A closure task (see scheduleIn): runs like any other but cannot be saved. */
  readonly run?: () => void;
  cancelled: boolean;
}

const REALTIME_TICK_MS = 250;

export class SandboxClock {
  private current: number;
  private sequence = 0;
  private heap: QueuedTask[] = [];
  private readonly handlers = new Map<string, (args: TaskArgs) => void>();
  private timer: NodeJS.Timeout | undefined;
  private mode: ClockMode = 'manual';
  private speed = 1;
  private advancing = false;
  private tasksRunTotal = 0;

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

  /** Tasks run since start: a cheap sign that state changed. */
  get tasksRun(): number {
    return this.tasksRunTotal;
  }

  get pendingTasks(): number {
    return this.heap.filter((task) => !task.cancelled).length;
  }

  /**
   * Registers the handler of a task kind; kinds are unique per clock. The handler finds what it
   * works on from the arguments (a payment id…), so it works the same on restored state.
   */
  define<A extends TaskArgs>(kind: string, run: (args: A) => void): TaskKind<A> {
    if (this.handlers.has(kind)) throw new Error(`the task kind ${kind} is already defined`);
    // Arguments are only ever created by this kind's own schedulers (or restored from them).
    this.handlers.set(kind, run as (args: TaskArgs) => void);
    return {
      kind,
      at: (at, args) => this.enqueue({ at, kind, args }),
      in: (delayMs, args) => this.enqueue({ at: this.current + delayMs, kind, args }),
      every: (intervalMs, args) => this.enqueue({ at: this.current + intervalMs, kind, args, repeatMs: intervalMs }),
    };
  }

  /**
   * A task given as a closure. It cannot be saved, so a snapshot leaves it out: providers whose
   * state is saved use define() instead.
   */
  scheduleIn(delayMs: number, label: string, run: () => void): TaskHandle {
    return this.enqueue({ at: this.current + delayMs, kind: label, args: {}, run });
  }

  /** A recurring closure task (see scheduleIn), first at now + intervalMs. */
  every(intervalMs: number, label: string, run: () => void): TaskHandle {
    return this.enqueue({ at: this.current + intervalMs, kind: label, args: {}, run, repeatMs: intervalMs });
  }

  /** Pending one-shot tasks. Recurring ones (live activity) are left out: they are set up again from the options at start. */
  snapshot(): ClockSnapshot {
    const tasks = this.heap
      .filter((task) => !task.cancelled && task.repeatMs === undefined && task.run === undefined)
      .map((task) => ({ at: task.at, sequence: task.sequence, kind: task.kind, args: task.args }))
      .sort((x, y) => x.at - y.at || x.sequence - y.sequence);
    return { now: this.current, sequence: this.sequence, tasks };
  }

  /** Replaces the time and the pending tasks with a snapshot's; every task kind must be defined. */
  restore(snapshot: ClockSnapshot): void {
    const unknown = snapshot.tasks.filter((task) => !this.handlers.has(task.kind)).map((task) => task.kind);
    if (unknown.length > 0) throw new Error(`the saved clock has tasks of unknown kinds: ${[...new Set(unknown)].join(', ')}`);
    this.heap = [];
    this.current = snapshot.now;
    this.sequence = snapshot.sequence;
    for (const task of snapshot.tasks) this.push({ ...task, cancelled: false });
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
        this.run(next);
        tasksRun += 1;
        this.tasksRunTotal += 1;
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

  private enqueue(task: Omit<QueuedTask, 'sequence' | 'cancelled'>): TaskHandle {
    const queued: QueuedTask = { ...task, sequence: this.sequence++, cancelled: false };
    this.push(queued);
    return {
      cancel: () => {
        queued.cancelled = true;
      },
    };
  }

  private run(task: QueuedTask): void {
    if (task.run !== undefined) {
      task.run();
    } else {
      const handler = this.handlers.get(task.kind);
      if (handler === undefined) throw new Error(`no handler for the task kind ${task.kind}`);
      handler(task.args);
    }
    // A recurring task goes back in the queue as the same object, so its handle still cancels it.
    if (task.repeatMs !== undefined && !task.cancelled) {
      task.at += task.repeatMs;
      task.sequence = this.sequence++;
      this.push(task);
    }
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
