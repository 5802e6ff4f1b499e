// Seeded generator of workflow programs for the simulation: a program is plain JSON (the run's input), a tree of
// durable calls that the generic `sim` workflow interprets and the reference interpreter evaluates without faults.
// The same seed always gives the same programs.

/** A durable call or a combinator; every call has a name unique within its program, so its key is `<name>#0`. */
export type SimNode =
  /** Succeeds with `value` after `fails` failed attempts; `fatal` throws NonRetryableError instead. */
  | { t: "step"; name: string; value: number; fails: number; fatal: boolean; delayMs: number }
  /** The same step name called `count` times in a row: keys `<name>#0` … `<name>#<count-1>`, results value + i. */
  | { t: "loop"; name: string; count: number; value: number }
  /** A ctx.transaction step that inserts one row keyed by its idempotency key (SQLite and PostgreSQL only). */
  | { t: "tx"; name: string; value: number }
  | { t: "seq"; body: SimNode[] }
  | { t: "all"; branches: SimNode[] }
  /** Promise.race of `winner` and calls that never resolve (a long sleep, an event nobody sends). */
  | { t: "race"; winner: SimNode; losers: SimNode[] }
  | { t: "child"; name: string; program: SimProgram }
  | { t: "sleep"; name: string; ms: number; until: boolean }
  /** A wait for an event the driver sends exactly once, before (`early`) or after the run waits. */
  | { t: "event"; name: string; payload: number; early: boolean }
  /** A wait for an event nobody sends (only as a race loser). */
  | { t: "never"; name: string }
  | { t: "approval"; name: string; approve: boolean }
  | { t: "ask"; name: string; choices: string[]; answer: string }
  | { t: "value"; name: string; kind: "now" | "random" | "uuid" }
  /** Evaluates `body`; if it fails, yields `fallback` instead. */
  | { t: "try"; body: SimNode; fallback: number }
  /** A wait the driver answers by cancelling the run (only in a program's top-level sequence). */
  | { t: "hang"; name: string };

export interface SimProgram {
  body: SimNode[];
  /** Child nesting below this program that is still allowed. */
  depth: number;
}

/** A small, fast, seedable PRNG (mulberry32): the whole simulation draws from it, so a seed replays it. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

export interface GenerateOptions {
  /** Whether the store supports ctx.transaction. */
  transactions: boolean;
  /** Child nesting allowed below a root program. default 2 */
  depth?: number;
}

/** Generates one root program. */
export function generateProgram(rng: Rng, options: GenerateOptions): SimProgram {
  return new ProgramWriter(rng, options.transactions).program(options.depth ?? 2, true);
}

class ProgramWriter {
  private counter = 0;
  constructor(
    private readonly rng: Rng,
    private readonly transactions: boolean,
  ) {}

  program(depth: number, root: boolean): SimProgram {
    const saved = this.counter;
    this.counter = 0;
    const body: SimNode[] = [];
    const length = this.rng.int(2, root ? 7 : 4);
    for (let i = 0; i < length; i++) body.push(this.node(depth, 0));
    // A hang ends a program's top-level sequence: the driver cancels the run there.
    if (this.rng.chance(root ? 0.08 : 0.12)) body.push({ t: "hang", name: this.name("h") });
    this.counter = saved;
    return { body, depth };
  }

  private name(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  private node(depth: number, nesting: number): SimNode {
    const roll = this.rng.next();
    const nest = nesting < 2;
    if (nesting === 0 && this.rng.chance(0.04)) return this.fanOut(depth);
    if (this.rng.chance(0.05)) return { t: "loop", name: this.name("l"), count: this.rng.int(2, 5), value: this.rng.int(0, 99) };
    if (roll < 0.3) return this.step();
    if (roll < 0.38 && nest) return { t: "all", branches: this.many(depth, nesting + 1, this.rng.int(1, 4)) };
    if (roll < 0.43 && nest) return this.race(depth, nesting);
    if (roll < 0.5 && depth > 0) return { t: "child", name: this.name("c"), program: this.program(depth - 1, false) };
    if (roll < 0.56) return { t: "sleep", name: this.name("z"), ms: this.rng.int(5, 150), until: this.rng.chance(0.3) };
    if (roll < 0.64) return { t: "event", name: this.name("e"), payload: this.rng.int(0, 999), early: this.rng.chance(0.5) };
    if (roll < 0.69) return { t: "approval", name: this.name("a"), approve: this.rng.chance(0.7) };
    if (roll < 0.74) {
      const choices = ["red", "green", "blue"].slice(0, this.rng.int(2, 3));
      return { t: "ask", name: this.name("q"), choices, answer: this.rng.pick(choices) };
    }
    if (roll < 0.8) return { t: "value", name: this.name("v"), kind: this.rng.pick(["now", "random", "uuid"] as const) };
    if (roll < 0.86 && this.transactions) return { t: "tx", name: this.name("x"), value: this.rng.int(0, 99) };
    if (roll < 0.93 && nest) return { t: "try", body: this.node(depth, nesting + 1), fallback: -this.rng.int(1, 99) };
    if (nest) return { t: "seq", body: this.many(depth, nesting + 1, this.rng.int(1, 3)) };
    return this.step();
  }

  /** The shape of issue 13's first defect: many parallel children or steps at once. */
  private fanOut(depth: number): SimNode {
    const width = this.rng.chance(0.2) ? this.rng.int(30, 60) : this.rng.int(6, 20);
    const children = depth > 0 && this.rng.chance(0.5);
    const branches = Array.from(
      { length: width },
      (): SimNode =>
        children ? { t: "child", name: this.name("c"), program: { body: [this.step(), this.step()], depth: 0 } } : this.step(),
    );
    return { t: "all", branches };
  }

  private many(depth: number, nesting: number, count: number): SimNode[] {
    return Array.from({ length: count }, () => this.node(depth, nesting));
  }

  private step(): SimNode {
    const failing = this.rng.chance(0.2);
    const slow = this.rng.chance(0.1);
    return {
      t: "step",
      name: this.name("s"),
      value: this.rng.int(0, 99),
      fails: failing ? this.rng.int(1, 2) : 0,
      fatal: this.rng.chance(0.03),
      delayMs: slow ? this.rng.int(100, 300) : this.rng.int(0, 20),
    };
  }

  /** The winner settles for sure before any loser: losers are a one-hour sleep or an event nobody sends. */
  private race(depth: number, nesting: number): SimNode {
    const winner = this.rng.chance(0.6) ? this.step() : this.node(depth, nesting + 1);
    const losers: SimNode[] = Array.from({ length: this.rng.int(1, 2) }, () =>
      this.rng.chance(0.5) ? { t: "sleep", name: this.name("z"), ms: 3_600_000, until: false } : { t: "never", name: this.name("n") },
    );
    return { t: "race", winner, losers };
  }
}

/** The step keys a node calls itself (not its descendants'), with what each returns. */
export function stepCalls(node: SimNode): Array<{ key: string; value: number }> {
  if (node.t === "step" || node.t === "tx") return [{ key: `${node.name}#0`, value: node.value }];
  if (node.t === "loop") return Array.from({ length: node.count }, (_, i) => ({ key: `${node.name}#${i}`, value: node.value + i }));
  return [];
}

/** Every node of a program (not descending into child programs), depth first. */
export function* nodesOf(nodes: SimNode[]): Generator<SimNode> {
  for (const node of nodes) {
    yield node;
    if (node.t === "seq") yield* nodesOf(node.body);
    else if (node.t === "all") yield* nodesOf(node.branches);
    else if (node.t === "race") yield* nodesOf([node.winner, ...node.losers]);
    else if (node.t === "try") yield* nodesOf([node.body]);
  }
}
