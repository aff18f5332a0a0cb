/**
 * A small metrics registry: counter, gauge and histogram families with labels, written in Prometheus text
 * format. The hot path is cheap by construction: `labels(...)` resolves a child once (callers keep it), and
 * a child update is a plain number add or a bucket search over a few bounds. Gauges whose value only exists
 * at scrape time are filled by collectors that run before each render.
 */
import { familyHeader, formatValue, labelSet, validLabelName, validMetricName } from "./exposition.ts";

/** A metric family's type as the TYPE line names it. */
export type MetricType = "counter" | "gauge" | "histogram";

/** The common part of a family: name, help, label names and its children by label values. */
abstract class Family<C> {
  readonly #children = new Map<string, { values: string[]; child: C }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!validMetricName(name)) throw new Error(`invalid metric name ${name}`);
    for (const l of labelNames) if (!validLabelName(l)) throw new Error(`invalid label name ${l}`);
  }

  abstract readonly type: MetricType;
  protected abstract create(): C;
  protected abstract lines(labels: (extra?: [string, string]) => string, child: C): string;

  /** The child for these label values (created on first use); keep it to skip the lookup next time. */
  labels(...values: string[]): C {
    if (values.length !== this.labelNames.length)
      throw new Error(`${this.name} takes ${this.labelNames.length} label values, got ${values.length}`);
    const key = values.join("\u0000");
    let e = this.#children.get(key);
    if (!e) {
      e = { values, child: this.create() };
      this.#children.set(key, e);
    }
    return e.child;
  }

  /** Drops every child (for families a collector refills at each scrape). */
  reset(): void {
    this.#children.clear();
  }

  /** The family in text format; "" when a labelled family has no series yet. */
  render(): string {
    // An unlabelled family always has its one series (a counter reads 0 before any event).
    if (this.labelNames.length === 0) this.labels();
    if (this.#children.size === 0) return "";
    let out = familyHeader(this.name, this.help, this.type);
    for (const { values, child } of this.#children.values())
      out += this.lines((extra) => labelSet(this.labelNames, values, extra), child);
    return out;
  }
}

/** A counter series: only goes up. */
export class CounterChild {
  value = 0;
  /** Adds `n` (default 1); negative amounts are ignored (a counter never goes down). */
  inc(n = 1): void {
    if (n > 0) this.value += n;
  }
}

/** A gauge series: any value. */
export class GaugeChild {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(n = 1): void {
    this.value += n;
  }
}

/** A histogram series over fixed upper bounds (the +Inf bucket is implicit). */
export class HistogramChild {
  /** Per-bucket (not cumulative) counts; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records one value. */
  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > (b[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += v;
    this.count++;
  }
}

/** Counters: the name must end in `_total` (the format's rule for counters). */
export class Counter extends Family<CounterChild> {
  readonly type = "counter";
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    if (!name.endsWith("_total")) throw new Error(`counter ${name} must end in _total`);
    super(name, help, labelNames);
  }
  protected create(): CounterChild {
    return new CounterChild();
  }
  protected lines(labels: () => string, c: CounterChild): string {
    return `${this.name}${labels()} ${formatValue(c.value)}\n`;
  }
}

/** Gauges (a `_total` suffix is for counters only). */
export class Gauge extends Family<GaugeChild> {
  readonly type = "gauge";
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    if (name.endsWith("_total")) throw new Error(`gauge ${name} must not end in _total`);
    super(name, help, labelNames);
  }
  protected create(): GaugeChild {
    return new GaugeChild();
  }
  protected lines(labels: () => string, c: GaugeChild): string {
    return `${this.name}${labels()} ${formatValue(c.value)}\n`;
  }
}

/** Histograms: cumulative `_bucket{le}` lines up to `+Inf`, then `_sum` and `_count`. */
export class Histogram extends Family<HistogramChild> {
  readonly type = "histogram";
  readonly bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]) {
    const sorted = bounds.every((b, i) => i === 0 || b > (bounds[i - 1] as number));
    if (!sorted || bounds.some((b) => !Number.isFinite(b)))
      throw new Error(`histogram ${name}: bucket bounds must be finite and increasing`);
    if (labelNames.includes("le")) throw new Error(`histogram ${name}: "le" is reserved`);
    super(name, help, labelNames);
    this.bounds = [...bounds];
  }
  protected create(): HistogramChild {
    return new HistogramChild(this.bounds);
  }
  protected lines(labels: (extra?: [string, string]) => string, c: HistogramChild): string {
    let out = "";
    let cumulative = 0;
    for (let i = 0; i <= this.bounds.length; i++) {
      cumulative += c.counts[i] as number;
      const le = i < this.bounds.length ? formatValue(this.bounds[i] as number) : "+Inf";
      out += `${this.name}_bucket${labels(["le", le])} ${cumulative}\n`;
    }
    out += `${this.name}_sum${labels()} ${formatValue(c.sum)}\n`;
    out += `${this.name}_count${labels()} ${c.count}\n`;
    return out;
  }
}

/**
 * Runs before each render to fill scrape-time gauges; may be async (it can ask runners). `include` says which
 * families this render writes (a collector resetting per-scrape windows only does so for its own scrape).
 */
export type Collector = (include: (name: string) => boolean) => void | Promise<void>;

/** The families of one server, in registration order, and the collectors that refresh them. */
export class Registry {
  readonly #families: Family<unknown>[] = [];
  readonly #names = new Set<string>();
  readonly #collectors: Collector[] = [];

  #add<F extends Family<unknown>>(f: F): F {
    if (this.#names.has(f.name)) throw new Error(`metric ${f.name} registered twice`);
    this.#names.add(f.name);
    this.#families.push(f);
    return f;
  }

  /** Registers a counter family. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames));
  }

  /** Registers a gauge family. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#add(new Gauge(name, help, labelNames));
  }

  /** Registers a histogram family with fixed bucket upper bounds (seconds or bytes: base units). */
  histogram(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, labelNames, bounds));
  }

  /** Adds a collector (run in order, before every render). */
  onCollect(c: Collector): void {
    this.#collectors.push(c);
  }

  /** Runs the collectors, then writes every family (of those `include` keeps) with at least one series. */
  async render(include: (name: string) => boolean = () => true): Promise<string> {
    for (const c of this.#collectors) await c(include);
    let out = "";
    for (const f of this.#families) if (include(f.name)) out += f.render();
    return out;
  }
}
