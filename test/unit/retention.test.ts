import { anonymisedStepDetail, dueAt, retentionCutoff } from '../../domain/retention';

describe('what stays of a step once its case is anonymised', () => {
  it('keeps the figures the indicators read and drops any other key', () => {
    expect(
      anonymisedStepDetail('resolved', { outcome: 'granted', amount: 300, instalments: 3, iban: 'ES91…' }),
    ).toEqual({ outcome: 'granted', amount: 300, instalments: 3 });
  });

  it('keeps a note the workflow generated, and drops one staff typed', () => {
    expect(anonymisedStepDetail('repayment_opened', { note: '120.5 €' })).toEqual({ note: '120.5 €' });
    expect(anonymisedStepDetail('withdrawn', { note: 'La Núria ja treballa' })).toBeNull();
    expect(anonymisedStepDetail('escalated', { note: 'Sense llum', to: 'x' })).toEqual({ to: 'x' });
  });

  it('keeps who a reassignment went from and to, without its reason', () => {
    expect(anonymisedStepDetail('reassigned', { note: 'anna → pere: la Núria ho demana' })).toEqual({
      note: 'anna → pere',
    });
  });

  it('counts the retention period from the closing', () => {
    const closed = new Date('2026-01-31T10:00:00Z');
    expect(dueAt(closed, 1826).toISOString()).toBe('2031-01-31T10:00:00.000Z');
    expect(retentionCutoff(dueAt(closed, 1826), 1826).toISOString()).toBe(closed.toISOString());
  });
});
