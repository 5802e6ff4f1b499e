// What the journal may hold as a value, and how to describe anything else. Step results, run outputs and child
// inputs must be JSON values already (findNonJson refuses the rest, rather than letting JSON.stringify turn a Map
// into {}); errors are descriptions, so describeJson turns anything into bounded JSON and never throws.
/**
 * A journaled value is: null, a boolean, a string, a finite number, an array of journaled values, or a plain object
 * (prototype Object.prototype or null) of them. An object with a `toJSON` method (Date, Buffer, URL) counts as what
 * that method returns. A property whose value is undefined is left out, as JSON does.
 */
export interface NonJsonValue {
  /** Where, as a JSON path: `$`, `$.items[2].when`. */
  path: string;
  /** What was found there: `a Map`, `a function`, `a BigInt`, `NaN`, `a circular reference`, `an instance of Order`. */
  what: string;
}

/** The journal refuses values nested deeper than this (JSON parsers and the fold recurse over them). */
export const MAX_JSON_DEPTH = 256;

/** The first thing in `value` that is not a journaled value (see NonJsonValue), or undefined when it all is. */
export function findNonJson(value: unknown): NonJsonValue | undefined {
  const found = walk(value, new Set(), 0);
  return found && { path: `$${found.path}`, what: found.what };
}

/**
 * Paths are relative to `value` and built on the way back up from a find: every step's result is walked, and a
 * valid one (nearly all of them) then costs no string per property.
 */
function walk(value: unknown, open: Set<object>, depth: number): NonJsonValue | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : { path: "", what: String(value) };
  if (typeof value !== "object") return { path: "", what: kindOf(value) };
  if (depth >= MAX_JSON_DEPTH) return { path: "", what: `a value nested more than ${MAX_JSON_DEPTH} levels deep` };
  if (open.has(value)) return { path: "", what: "a circular reference" };
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return walk(toJSON.call(value, ""), open, depth + 1);
  open.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const found = item === undefined ? { path: "", what: "undefined" } : walk(item, open, depth + 1);
        if (found) return { path: `[${i}]${found.path}`, what: found.what };
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return { path: "", what: kindOf(value) };
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const item: unknown = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      const found = walk(item, open, depth + 1);
      if (found) return { path: `${pathSegment(key)}${found.path}`, what: found.what };
    }
    return undefined;
  } finally {
    open.delete(value);
  }
}

function pathSegment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** "a Map", "a function", "a BigInt", "an instance of Order": how a message names a value's kind. */
export function kindOf(value: unknown): string {
  switch (typeof value) {
    case "bigint":
      return "a BigInt";
    case "symbol":
      return "a Symbol";
    case "function":
      return "a function";
    case "undefined":
      return "undefined";
    case "object": {
      if (value === null) return "null";
      if (value instanceof Map) return "a Map";
      if (value instanceof Set) return "a Set";
      if (value instanceof WeakMap || value instanceof WeakSet) return "a weak collection";
      if (value instanceof Promise) return "a Promise (await it inside the step)";
      const name = constructorName(value);
      return name ? `an instance of ${name}` : "an object";
    }
    default:
      return typeof value;
  }
}

function constructorName(value: object): string | undefined {
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === "string" && name !== "" ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Bounds of describeJson: how deep it goes, how many entries of one object or array, how long one string. */
export interface DescribeLimits {
  /** default 8 */
  depth?: number;
  /** default 100 */
  entries?: number;
  /** default 1_000 */
  stringChars?: number;
}

/**
 * A plain-JSON description of anything, for errors: a BigInt becomes "5n", a function "[function f]", a cycle
 * "[circular]", a Map its entries, a getter that throws "[unreadable: …]". Never throws; bounded by `limits`.
 */
export function describeJson(value: unknown, limits: DescribeLimits = {}): unknown {
  const bounds = { depth: limits.depth ?? 8, entries: limits.entries ?? 100, stringChars: limits.stringChars ?? 1_000 };
  return describe(value, bounds, new Set(), 0);
}

function describe(value: unknown, bounds: Required<DescribeLimits>, open: Set<object>, depth: number): unknown {
  try {
    switch (typeof value) {
      case "string":
        return clip(value, bounds.stringChars);
      case "number":
        return Number.isFinite(value) ? value : String(value);
      case "boolean":
        return value;
      case "bigint":
        return `${value}n`;
      case "symbol":
        return clip(value.toString(), bounds.stringChars);
      case "function":
        return `[function ${clip(value.name, 100) || "anonymous"}]`;
      case "undefined":
        return "[undefined]";
    }
    if (value === null) return null;
    const object = value as object;
    if (open.has(object)) return "[circular]";
    if (depth >= bounds.depth) return `[${kindOf(object).replace(/^an? /, "")}, nested too deep]`;
    open.add(object);
    try {
      return describeObject(object, bounds, open, depth);
    } finally {
      open.delete(object);
    }
  } catch (error) {
    return `[unreadable: ${clip(safeMessage(error), 200)}]`;
  }
}

function describeObject(object: object, bounds: Required<DescribeLimits>, open: Set<object>, depth: number): unknown {
  const inner = (v: unknown) => describe(v, bounds, open, depth + 1);
  if (object instanceof Error) return { name: clip(String(object.name), 100), message: inner(object.message) };
  if (typeof (object as { toJSON?: unknown }).toJSON === "function") return inner((object as { toJSON(): unknown }).toJSON());
  const entries: Array<[string, unknown]> =
    object instanceof Map
      ? [...object.entries()].map(([k, v]) => [typeof k === "string" ? k : JSON.stringify(inner(k)), v])
      : object instanceof Set || Array.isArray(object)
        ? [...(object as Iterable<unknown>)].map((v, i) => [String(i), v])
        : Object.keys(object).map((k) => [k, readProperty(object, k)]);
  const shown = entries.slice(0, bounds.entries);
  const more = entries.length - shown.length;
  if (Array.isArray(object) || object instanceof Set) {
    const items = shown.map(([, v]) => inner(v));
    return more > 0 ? [...items, `[${more} more]`] : items;
  }
  const result: Record<string, unknown> = {};
  // Left out, as JSON.stringify would: an absent detail is not worth a "[undefined]".
  for (const [k, v] of shown) if (v !== undefined) result[clip(k, bounds.stringChars)] = inner(v);
  if (more > 0) result["…"] = `${more} more entries`;
  return result;
}

function readProperty(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch (error) {
    return `[unreadable: ${clip(safeMessage(error), 200)}]`;
  }
}

/** `text` cut to `max` characters, saying how much was left out. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

function safeMessage(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return "an error that cannot be read";
  }
}
