/**
 * Hierarchical progress: a job reports steps and sub-steps with relative weights; the overall percent is
 * the weighted mean of the tree, and the ETA comes from the rate measured over a recent window.
 * Pure apart from the injected `now`.
 */

export type StepState = 'pending' | 'running' | 'done';

export interface StepSnapshot {
  name: string;
  weight: number;
  /** 0–100, this step's own completion including its sub-steps. */
  percent: number;
  state: StepState;
  message: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  steps: StepSnapshot[];
}

export interface ProgressSnapshot {
  /** 0–100 over the whole job. */
  percent: number;
  /** Milliseconds left at the rate measured recently, or null while there is too little to go on. */
  etaMs: number | null;
  message: string | null;
  steps: StepSnapshot[];
  updatedAt: number;
}

/** What a handler gets as `ctx.progress`. Every node of the tree has the same small API. */
export interface ProgressReporter {
  /**
   * The child step with this name, created on first use (pending, 0%). Weights are relative among
   * siblings; declare all steps up front so that the percent does not jump when a later one appears.
   */
  step(name: string, weight?: number): ProgressReporter;
  /** Sets this step's own completion: a fraction 0–1, or `done` of `total` units. */
  update(done: number, total?: number): void;
  /** A short human note shown with the job ("encoding chunk 3 of 8"). */
  message(text: string): void;
  /** Marks this step (and any unfinished sub-steps) done. */
  complete(): void;
}

export interface ProgressTrackerOptions {
  now: () => number;
  /** Called after every change; the worker throttles what it persists. */
  onChange?: () => void;
  /** Rate window for the ETA. */
  rateWindowMs?: number;
}

class StepNode implements ProgressReporter {
  own = 0;
  state: StepState = 'pending';
  note: string | null = null;
  startedAt: number | null = null;
  finishedAt: number | null = null;
  readonly children: StepNode[] = [];

  constructor(
    readonly tracker: ProgressTracker,
    readonly parent: StepNode | null,
    readonly name: string,
    readonly weight: number,
  ) {}

  step(name: string, weight = 1): ProgressReporter {
    const existing = this.children.find((c) => c.name === name);
    if (existing) return existing;
    const w = Number.isFinite(weight) && weight > 0 ? weight : 1;
    const child = new StepNode(this.tracker, this, name, w);
    this.children.push(child);
    this.tracker.changed();
    return child;
  }

  update(done: number, total?: number): void {
    const f = total === undefined ? done : total > 0 ? done / total : 0;
    if (!Number.isFinite(f)) return;
    this.own = Math.min(1, Math.max(0, f));
    this.start();
    this.tracker.changed();
  }

  message(text: string): void {
    this.note = text;
    this.start();
    this.tracker.changed();
  }

  complete(): void {
    this.finish(this.tracker.now());
    this.start();
    this.tracker.changed();
  }

  fraction(): number {
    if (this.state === 'done') return 1;
    if (this.children.length === 0) return this.own;
    let sum = 0;
    let weights = 0;
    for (const c of this.children) {
      sum += c.weight * c.fraction();
      weights += c.weight;
    }
    return weights > 0 ? sum / weights : 0;
  }

  snapshot(): StepSnapshot {
    return {
      name: this.name,
      weight: this.weight,
      percent: round(this.fraction() * 100),
      state: this.state,
      message: this.note,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      steps: this.children.map((c) => c.snapshot()),
    };
  }

  private start(): void {
    for (let n: StepNode | null = this; n !== null && n.state === 'pending'; n = n.parent) {
      n.state = 'running';
      n.startedAt = this.tracker.now();
    }
  }

  private finish(at: number): void {
    if (this.state === 'done') return;
    for (const c of this.children) c.finish(at);
    this.own = 1;
    this.state = 'done';
    this.startedAt ??= at;
    this.finishedAt = at;
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Holds one job's step tree and its recent rate samples. */
export class ProgressTracker {
  readonly root: ProgressReporter;
  private readonly node: StepNode;
  private readonly samples: Array<{ at: number; fraction: number }> = [];
  private readonly windowMs: number;

  constructor(private readonly options: ProgressTrackerOptions) {
    this.windowMs = options.rateWindowMs ?? 30_000;
    this.node = new StepNode(this, null, 'job', 1);
    this.root = this.node;
  }

  now(): number {
    return this.options.now();
  }

  /** Internal: a node changed; record a rate sample and tell the owner. */
  changed(): void {
    const at = this.now();
    const fraction = this.node.fraction();
    const last = this.samples.at(-1);
    if (last && last.at === at) last.fraction = fraction;
    else this.samples.push({ at, fraction });
    // Keep one sample older than the window so the measured span covers all of it.
    while (this.samples.length > 2 && (this.samples[1]?.at ?? at) <= at - this.windowMs) this.samples.shift();
    this.options.onChange?.();
  }

  fraction(): number {
    return this.node.fraction();
  }

  /** Milliseconds left, from the progress made over the rate window; null when it cannot be told. */
  etaMs(): number | null {
    const fraction = this.node.fraction();
    if (fraction >= 1) return 0;
    const first = this.samples[0];
    if (!first) return null;
    const now = this.now();
    // Measure over exactly the window: interpolate where the oldest kept sample straddles its start.
    let base = first;
    const second = this.samples[1];
    const start = now - this.windowMs;
    if (first.at < start && second && second.at > first.at) {
      const f =
        first.fraction + ((second.fraction - first.fraction) * (start - first.at)) / (second.at - first.at);
      base = { at: start, fraction: f };
    }
    const span = now - base.at;
    const gained = fraction - base.fraction;
    if (span < 250 || gained <= 0) return null;
    return Math.round(((1 - fraction) * span) / gained);
  }

  snapshot(): ProgressSnapshot {
    const tree = this.node.snapshot();
    return {
      percent: tree.percent,
      etaMs: this.etaMs(),
      message: latestMessage(tree),
      steps: tree.steps,
      updatedAt: this.now(),
    };
  }
}

/** The deepest running step's message, else the job's own. */
function latestMessage(step: StepSnapshot): string | null {
  for (const child of step.steps) {
    if (child.state !== 'running') continue;
    const m = latestMessage(child);
    if (m !== null) return m;
  }
  return step.message;
}
