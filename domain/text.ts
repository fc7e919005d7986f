/**
 * Text a person types, as every layer may keep it: one schema for every name and free-text field of the
 * intake and of the staff's actions. Normalised to NFC (the same name typed on two keyboards is the same
 * text), trimmed, bounded, and with no control characters: PostgreSQL cannot store a NUL byte (22021, 22P05),
 * so text holding one was accepted and then failed the case's projection on every retry; other control
 * characters garble names, CSV files and logs. Tab and line breaks are allowed only where a field holds
 * several lines (a report, reasons, grounds). The rule is a pattern, so the OpenAPI document states it too.
 */
import { z } from 'zod';

/** One line: no C0 control (tab and line breaks included), no DEL, no C1 control. */
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
export const ONE_LINE = /^[^\u0000-\u001F\u007F-\u009F]*$/;
/** Several lines: tab, LF and CR allowed; no other C0 control, no DEL, no C1 control. */
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
export const MULTILINE = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$/;

export interface TextOptions {
  /** At least this many characters once trimmed (1 by default: a required field is not blank). */
  min?: number;
  /** Tab and line breaks allowed (a report, reasons); a name or an identifier holds one line. */
  multiline?: boolean;
}

/** A text field of at most `max` characters: NFC, trimmed, without control characters. */
export function text(max: number, opts: TextOptions = {}) {
  const multiline = opts.multiline ?? false;
  return z
    .string()
    .normalize('NFC')
    .trim()
    .min(opts.min ?? 1, (opts.min ?? 1) > 1 ? `must be at least ${opts.min} characters` : 'must not be blank')
    .max(max, `must be at most ${max} characters`)
    .regex(
      multiline ? MULTILINE : ONE_LINE,
      multiline
        ? 'must not contain control characters (such as NUL); tab and line breaks are allowed'
        : 'must be one line of text, without control characters (such as NUL, tab or line breaks)',
    );
}
