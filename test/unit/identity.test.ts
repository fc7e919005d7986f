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

describe('household at intake', () => {
  const base = {
    municipalityCode: '08305',
    benefitCode: 'RENT',
    applicant: { firstName: 'Núria', lastName: 'Puig', documentNumber: '12345678Z' },
  };
  const fields = (input: unknown): string[] => {
    const r = intakeSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.')).sort();
  };

  it('accepts a consistent household, with incomes and a valid IBAN (spaces and case ignored)', () => {
    const parsed = intakeSchema.parse({
      ...base,
      household: [
        { firstName: 'Pere', documentNumber: '00000001r', birthDate: '1980-01-01', relationship: 'partner' },
        { firstName: 'Pol', birthDate: '2015-01-01', relationship: 'child' },
      ],
      incomes: [
        { member: 'applicant', source: 'work', monthlyAmount: 500 },
        { member: 0, source: 'unemployment', monthlyAmount: 300.25 },
      ],
      bankAccount: { iban: 'es91 2100 0418 4502 0005 1332', holder: 'Núria Puig' },
    });
    expect(parsed.bankAccount?.iban).toBe('ES9121000418450200051332');
    expect(parsed.household?.[0]?.documentNumber).toBe('00000001R');
  });

  it('refuses the same person twice, two partners, incomes of nobody, and both ways of giving the same fact', () => {
    expect(
      fields({
        ...base,
        declared: { otherMembers: [{}], monthlyIncome: 100 },
        household: [
          { firstName: 'A', documentNumber: '12345678Z', birthDate: '1980-01-01', relationship: 'partner' },
          { firstName: 'B', birthDate: '1981-01-01', relationship: 'partner' },
        ],
        incomes: [{ member: 2, source: 'work', monthlyAmount: 1 }],
      }),
    ).toEqual([
      'declared.monthlyIncome',
      'declared.otherMembers',
      'household.0.documentNumber',
      'household.1.relationship',
      'incomes.0.member',
    ]);
  });

  it('refuses an IBAN with wrong check digits', () => {
    expect(fields({ ...base, bankAccount: { iban: 'ES9121000418450200051333', holder: 'N' } })).toEqual([
      'bankAccount.iban',
    ]);
  });
});
