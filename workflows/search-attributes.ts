/**
 * The custom search attributes of an application's workflow: what Temporal's own list and the UI can filter
 * and sort cases by without asking every workflow (`OgpsState = "assessment" AND OgpsMunicipality = "08187"`,
 * `ORDER BY OgpsNextDeadline`). Defined once: the workflow upserts them, the start command registers them,
 * the API may query with them.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { SearchAttributePair } from '@temporalio/common';

export const stateKey = defineSearchAttributeKey('OgpsState', SearchAttributeType.KEYWORD);
export const benefitKey = defineSearchAttributeKey('OgpsBenefit', SearchAttributeType.KEYWORD);
export const municipalityKey = defineSearchAttributeKey('OgpsMunicipality', SearchAttributeType.KEYWORD);
export const assigneeKey = defineSearchAttributeKey('OgpsAssignee', SearchAttributeType.KEYWORD);
/** When the earliest running deadline expires (the end of its last day at the office); absent when none runs. */
export const nextDeadlineKey = defineSearchAttributeKey('OgpsNextDeadline', SearchAttributeType.DATETIME);

export const APPLICATION_SEARCH_ATTRIBUTES = [
  stateKey,
  benefitKey,
  municipalityKey,
  assigneeKey,
  nextDeadlineKey,
] as const;

/** What a case is indexed by from the moment it is started, before its workflow has run at all. */
export function initialSearchAttributes(input: {
  benefitCode: string;
  municipalityCode: string;
  assignee?: string | undefined;
}): SearchAttributePair[] {
  return [
    { key: stateKey, value: 'submitted' },
    { key: benefitKey, value: input.benefitCode },
    { key: municipalityKey, value: input.municipalityCode },
    ...(input.assignee ? [{ key: assigneeKey, value: input.assignee }] : []),
  ];
}
