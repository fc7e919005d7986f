/**
 * Text a person types (domain/text.ts): NFC, trimmed, bounded, without control characters; tab and line
 * breaks only in multi-line fields. A NUL byte accepted here used to fail the case's projection in
 * PostgreSQL on every retry (issue #28, findings 1 and 2).
 */
import fc from 'fast-check';
import { MULTILINE, ONE_LINE, text } from '../../domain/text';
import { applicantSchema } from '../../domain/intake';

describe('text fields', () => {
  it('keeps a name as NFC, trimmed: the same name typed on two keyboards is the same text', () => {
    const decomposed = ' Jose\u0301 Mari\u0301a '; // "José María" with combining accents, and spaces
    expect(text(100).parse(decomposed)).toBe('José María');
    expect(text(100).parse(decomposed)).toBe(text(100).parse('José María'));
  });

  it.each([
    ['NUL', 'Pe\u0000re'],
    ['a bell', 'Pe\u0007re'],
    ['DEL', 'Pe\u007Fre'],
    ['a C1 control', 'Pe\u0085re'],
    ['a tab', 'Pe\tre'],
    ['a line break', 'Pe\nre'],
  ])('refuses %s in a one-line field, naming the rule', (_name, value) => {
    const result = text(100).safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/control characters/);
  });

  it('takes tab and line breaks in a multi-line field, and still refuses NUL there', () => {
    expect(text(500, { multiline: true }).parse('line one\n\tline two\r\n')).toBe('line one\n\tline two');
    expect(text(500, { multiline: true }).safeParse('line\u0000two').success).toBe(false);
  });

  it('refuses blank text and text over its bound; optional text may be empty', () => {
    expect(text(10).safeParse('   ').success).toBe(false);
    expect(text(10).safeParse('x'.repeat(11)).success).toBe(false);
    expect(text(10, { min: 0 }).parse('  ')).toBe('');
    expect(text(500, { min: 3 }).safeParse('ab').error?.issues[0]?.message).toBe(
      'must be at least 3 characters',
    );
  });

  it('refuses a NUL in the applicant’s name at the edge (the field is named)', () => {
    const result = applicantSchema.safeParse({
      firstName: 'Pe\u0000re',
      lastName: 'Puig',
      documentNumber: '12345678Z',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['firstName']);
  });

  it('accepts every text without control characters, and nothing it accepts holds a NUL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (value) => {
        const result = text(1000, { min: 0, multiline: true }).safeParse(value);
        // Leading and trailing whitespace (a tab, a line break) is trimmed first, as it is from every field.
        const clean = MULTILINE.test(value.normalize('NFC').trim());
        expect(result.success).toBe(clean);
        if (result.success) expect(result.data.includes('\u0000')).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        expect(text(1000, { min: 0 }).safeParse(value).success).toBe(
          ONE_LINE.test(value.normalize('NFC').trim()),
        );
      }),
    );
  });
});
