import { eventDetail } from '../../activities/projection';

// The detail of an event and of a change of state come from one rule (they were built apart, with the
// precedence of a note reversed between the two).
describe('eventDetail', () => {
  it('stores nothing when the step has neither a note nor a detail', () => {
    expect(eventDetail({})).toBeUndefined();
    expect(eventDetail({ note: '' })).toBeUndefined();
  });

  it('keeps the detail and adds the note beside it', () => {
    expect(eventDetail({ note: 'PADRO, TAX', detail: { documents: 2 } })).toEqual({
      documents: 2,
      note: 'PADRO, TAX',
    });
    expect(eventDetail({ detail: { amount: 150 } })).toEqual({ amount: 150 });
    expect(eventDetail({ note: 'Motius' })).toEqual({ note: 'Motius' });
  });

  it("gives the step's own note precedence over a note inside its detail", () => {
    expect(eventDetail({ note: 'the step', detail: { note: 'inside', amount: 1 } })).toEqual({
      note: 'the step',
      amount: 1,
    });
  });
});
