/**
 * The registries' answers are parsed against one schema per service: a date that does not exist in the
 * calendar makes the answer malformed (retried, then asked of the person), instead of reaching the rules.
 */
import { SERVICES } from '../../adapters/scsp/protocol';

describe('SCSP protocol dates', () => {
  const padro = (fechaNacimiento: string, fechaAlta: string) =>
    SERVICES.PADRO.data.safeParse({
      empadronado: true,
      municipio: '08187',
      fechaAlta,
      convivientes: [{ fechaNacimiento, parentesco: 'HIJO' }],
    });

  it('accepts calendar dates, leap days included', () => {
    expect(padro('2024-02-29', '2020-01-31').success).toBe(true);
  });

  it.each(['2026-02-30', '2025-02-29', '2026-13-01', '2026-04-31', '0000-00-00'])(
    'refuses %s, naming the field',
    (date) => {
      const asBirth = padro(date, '2020-01-31');
      const asRegistration = padro('2010-05-05', date);
      expect(asBirth.success).toBe(false);
      expect(asRegistration.success).toBe(false);
      expect(asBirth.error?.issues.map((i) => i.path.join('.'))).toEqual(['convivientes.0.fechaNacimiento']);
      expect(asRegistration.error?.issues.map((i) => i.path.join('.'))).toEqual(['fechaAlta']);
    },
  );
});
