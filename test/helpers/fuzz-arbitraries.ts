/**
 * fast-check arbitraries shared by the fuzz tests: values of the wrong type or size, and mutations of a
 * valid JSON document (a field replaced, removed, or the document cut short), so that a fuzz run spends its
 * cases near the valid shape, where validation is most likely to miss something, as well as far from it.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Marks a mutation that removes the field instead of replacing it. */
export const REMOVE = Symbol('remove');

/** Anything but the right value: other types, empty, out of range, control characters, huge. */
export const oddValue: fc.Arbitrary<Json | typeof REMOVE> = fc.oneof(
  fc.constantFrom<Json | typeof REMOVE>(REMOVE, null, '', 0, -1, 1.5, 1e308, -1e308, true, [], {}, ' '),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
  fc.constantFrom('9999-99-99', '2026-02-30', '0000-00-00', '../../etc/passwd', '%00', '\u0000', 'null'),
  // Huge strings: near and past the usual limits (field lengths, body limits).
  fc.integer({ min: 200, max: 300_000 }).map((n) => 'x'.repeat(n)),
);

/** Every path in a JSON document, the document's own (`[]`) included. */
export function pathsOf(value: Json, prefix: Path = []): Path[] {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(value.flatMap((v, i) => pathsOf(v, [...prefix, i])));
  if (value !== null && typeof value === 'object') {
    return here.concat(Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k])));
  }
  return here;
}

export interface Mutation {
  path: Path;
  value: Json | typeof REMOVE;
}

/** A copy of `doc` with the mutations applied (a path that no longer exists is skipped). */
export function applyMutations(doc: Json, mutations: readonly Mutation[]): Json | undefined {
  let copy: Json | undefined = structuredClone(doc);
  for (const { path, value } of mutations) {
    if (path.length === 0) {
      copy = value === REMOVE ? undefined : value;
      continue;
    }
    let parent: unknown = copy;
    for (const key of path.slice(0, -1)) {
      parent =
        parent !== null && typeof parent === 'object' ? (parent as Record<string, unknown>)[key] : undefined;
    }
    if (parent === null || typeof parent !== 'object') continue;
    const last = path[path.length - 1]!;
    if (value === REMOVE) {
      if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
      else delete (parent as Record<string, unknown>)[last];
    } else {
      (parent as Record<string | number, unknown>)[last] = value;
    }
  }
  return copy;
}

/** The value at `path` in `doc`, if there is one. */
function valueAt(doc: Json, path: Path): Json | undefined {
  let here: unknown = doc;
  for (const key of path) {
    here = here !== null && typeof here === 'object' ? (here as Record<string, unknown>)[key] : undefined;
  }
  return here as Json | undefined;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Dates of the right shape that are mostly no calendar day (2026-02-30, 0000-13-00). */
export const dateLike: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
  .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);

/**
 * Near the original value: for a string, one character changed, cut, doubled, or a date-shaped string; for a
 * number, its neighbours, its opposite, a fraction, the extremes. What a validator with an off-by-one or a
 * too lax pattern lets through.
 */
function nearValue(original: Json | undefined): fc.Arbitrary<Json> {
  if (typeof original === 'string' && /^\d{4}-\d{2}-\d{2}/.test(original)) {
    // A date or a timestamp: the same shape with other digits, mostly no calendar day.
    return fc.oneof(
      dateLike,
      dateLike.map((d) => d + original.slice(10)),
      fc.constant(original.slice(0, 10)),
    );
  }
  if (typeof original === 'string') {
    return fc.oneof(
      dateLike,
      fc.nat({ max: Math.max(0, original.length) }).map((n) => original.slice(0, n)),
      fc
        .tuple(
          fc.nat({ max: Math.max(0, original.length - 1) }),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        )
        .map(([n, c]) => original.slice(0, n) + c + original.slice(n + 1)),
      fc.constant(original.repeat(2)),
      fc.constant(original.toLowerCase()),
      fc.constant(` ${original} `),
    );
  }
  if (typeof original === 'number') {
    return fc.oneof(
      fc.constantFrom(original - 1, original + 1, -original, original + 0.5, 0, Number.MAX_SAFE_INTEGER, -1),
      fc.integer({ min: -1000, max: 1000 }),
      fc.constant(String(original)),
    );
  }
  return oddValue as fc.Arbitrary<Json>;
}

/** One to three mutations of a document shaped like `template` (paths are taken from it). */
export function mutationsOf(template: Json): fc.Arbitrary<Mutation[]> {
  const mutation = fc.constantFrom(...pathsOf(template)).chain((path) =>
    fc.record({
      path: fc.constant(path),
      value: fc.oneof(oddValue, nearValue(valueAt(template, path))),
    }),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 3 });
}

/** Text that is not JSON, or not the JSON it claims to be: cut short, broken, empty, binary. */
export const malformedJson: fc.Arbitrary<string> = fc.oneof(
  fc.string().map((s) => `{"${s}`),
  fc.constantFrom('', '{', '[1,', '{"a":}', 'undefined', "{'a':1}", '{"a":1}}', '\u0000', 'NaN', '{"a":1,}'),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

/** A JSON document cut at a random point, or with one character replaced: what a bad edit leaves behind. */
export function corruptedText(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n)),
    fc
      .tuple(
        fc.nat({ max: Math.max(0, text.length - 1) }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
      )
      .map(([n, s]) => text.slice(0, n) + s + text.slice(n + 1)),
  );
}
