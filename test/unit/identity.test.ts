import fc from 'fast-check';
import { documentNumberProblem, documentTypeOf, normaliseDocumentNumber } from '../../domain/identity';
import { intakeSchema } from '../../domain/intake';
import { intakeRequest } from '../helpers/fixtures';

const LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

describe('identity documents', () => {
  it.each([
    ['12345678Z', undefined],
    ['00000000T', undefined],
    ['X1234567L', undefined],
    ['Y0000000Z', undefined],
    ['Z9999999H', undefined],
    ['12345678A', 'check letter should be Z'],
    ['X1234567A', 'check letter should be L'],
  ])('%s → %s', (number, problem) => {
    expect(documentNumberProblem(number)).toBe(problem);
  });

  it('rejects what is neither a DNI nor an NIE', () => {
    for (const bad of ['', '1234567Z', 'A1234567L', '123456789', 'X12345678L']) {
      expect(documentNumberProblem(bad)).toMatch(/must be a DNI/);
    }
  });

  it('normalises spaces, dashes and case', () => {
    expect(normaliseDocumentNumber(' x-1234567-l ')).toBe('X1234567L');
    expect(documentTypeOf('X1234567L')).toBe('NIE');
  });

  it('accepts exactly one check letter for any 8-digit number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), (n) => {
        const digits = String(n).padStart(8, '0');
        const valid = [...LETTERS].filter((l) => documentNumberProblem(digits + l) === undefined);
        expect(valid).toEqual([LETTERS[n % 23]]);
      }),
    );
  });
});

describe('intake', () => {
  it('derives the document type and normalises the number', () => {
    const parsed = intakeSchema.parse(
      intakeRequest({ applicant: { firstName: 'A', lastName: 'B', documentNumber: 'x1234567l' } }),
    );
    expect(parsed.applicant).toMatchObject({
      documentNumber: 'X1234567L',
      documentType: 'NIE',
      language: 'ca',
    });
  });

  it('never throws on arbitrary input: it parses or reports issues', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        const result = intakeSchema.safeParse(body);
        expect(typeof result.success).toBe('boolean');
        if (!result.success) expect(result.error.issues.length).toBeGreaterThan(0);
      }),
    );
  });
});
