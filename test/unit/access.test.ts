import {
  CASE_ACTIONS,
  mayPerform,
  municipalityOfApplication,
  rolesFor,
  STAFF_ROLES,
  worksFor,
} from '../../domain/access';

describe('who may do what', () => {
  it('keeps administrative staff away from professional notes, assessment and resolution', () => {
    for (const action of [
      'read_notes',
      'submit_assessment',
      'propose',
      'resolve',
      'resolve_appeal',
    ] as const) {
      expect(mayPerform('administrative', action)).toBe(false);
      expect(mayPerform('social_worker', action)).toBe(true);
    }
    expect(mayPerform('administrative', 'file')).toBe(true);
  });

  it('lets auditors read cases and the audit log, and nothing else', () => {
    expect(CASE_ACTIONS.filter((a) => mayPerform('auditor', a))).toEqual(['read', 'read_audit', 'oversee']);
  });

  it('gives coordinators every action, and only them reassignment among staff who act', () => {
    expect(CASE_ACTIONS.every((a) => mayPerform('coordinator', a))).toBe(true);
    expect(rolesFor('reassign')).toEqual(['coordinator']);
    expect(rolesFor('read_audit')).toEqual(['coordinator', 'auditor']);
  });

  it('scopes by the municipality in the case number', () => {
    const staff = { id: 'a', name: 'A', role: STAFF_ROLES[0], municipalities: ['08305' as const] };
    expect(municipalityOfApplication('08305-2026-000042')).toBe('08305');
    expect(worksFor(staff, '08305')).toBe(true);
    expect(worksFor(staff, '08096')).toBe(false);
  });
});
