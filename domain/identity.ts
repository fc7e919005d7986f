/**
 * Spanish identity documents: DNI (8 digits + check letter) and NIE (X/Y/Z + 7 digits + check letter).
 * The check letter is the remainder of the number divided by 23, looked up in a fixed table (Ministeri de
 * l'Interior); an NIE's leading X, Y, Z stand for 0, 1, 2.
 */
const CHECK_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

export type DocumentType = 'DNI' | 'NIE';

export function normaliseDocumentNumber(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}

export function documentTypeOf(number: string): DocumentType | undefined {
  if (/^\d{8}[A-Z]$/.test(number)) return 'DNI';
  if (/^[XYZ]\d{7}[A-Z]$/.test(number)) return 'NIE';
  return undefined;
}

/** The DNI with number `n` and its check letter: fictional people for demos and the registry simulator. */
export function dniFor(n: number): string {
  return `${String(n).padStart(8, '0')}${CHECK_LETTERS[n % 23] as string}`;
}

/** Why a document number is not valid, or undefined when it is. */
export function documentNumberProblem(number: string): string | undefined {
  const type = documentTypeOf(number);
  if (!type) return 'must be a DNI (8 digits and a letter) or an NIE (X, Y or Z, 7 digits and a letter)';
  const digits =
    type === 'NIE' ? String('XYZ'.indexOf(number[0] as string)) + number.slice(1, 8) : number.slice(0, 8);
  const expected = CHECK_LETTERS[Number(digits) % 23];
  return number[8] === expected ? undefined : `check letter should be ${expected}`;
}
