import { readdirSync, readFileSync } from 'node:fs';
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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fail(`cannot be read (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw fail(`not valid JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw fail(parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'} ${i.message}`).join('; '));
  }
  return parsed.data;
}

/**
 * The names in a data folder, sorted; `fail` builds the loader's own error when it is not a folder that can
 * be read. A folder that does not exist is empty when `optional`, an error otherwise.
 */
export function readDataFolder(
  dir: string,
  fail: (problem: string) => Error,
  { optional = false }: { optional?: boolean } = {},
): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (optional && code === 'ENOENT') return [];
    throw fail(
      code === 'ENOTDIR'
        ? 'is a file where a folder is expected'
        : `cannot be read (${(err as Error).message})`,
    );
  }
}
