import { readFileSync } from 'node:fs';
import type { z } from 'zod';

/**
 * Reads a JSON data file and validates it; `fail` builds the loader's own error from what is wrong, so
 * that every problem is reported with its file and field.
 */
export function readDataFile<S extends z.ZodType>(
  file: string,
  schema: S,
  fail: (problem: string) => Error,
): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw fail(`not valid JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw fail(parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'} ${i.message}`).join('; '));
  }
  return parsed.data;
}
