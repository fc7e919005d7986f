/**
 * The document checklist of an application: what its benefit requires for this household, and which of
 * it another administration holds (Llei 39/2015 art. 28.2: the office consults instead of asking), unless the
 * person objected to that consultation or, for tax data, gave no express consent.
 */
import type { BenefitDefinition } from './catalogue';

export interface ChecklistItem {
  code: string;
  name: { ca: string; es: string };
  /** The registry to consult; undefined when only the person can provide it. */
  registry?: string | undefined;
  /** The consent the consultation is made under: Si (express), NoOpo (did not object), Ley (by law). */
  consent?: 'Si' | 'NoOpo' | 'Ley' | undefined;
}

export interface HouseholdCircumstances {
  children: boolean;
  disability: boolean;
  dependency: boolean;
  largeFamily: boolean;
  singleParent: boolean;
}

export interface ConsentRecord {
  /** Registries the person objected to (art. 28.2): never consulted. */
  objections: string[];
  /** Express consent for tax data (AEAT). */
  taxConsent: boolean;
}

const CIRCUMSTANCE: Record<string, keyof HouseholdCircumstances> = {
  children: 'children',
  disability: 'disability',
  dependency: 'dependency',
  large_family: 'largeFamily',
  single_parent: 'singleParent',
};

export function documentChecklist(
  benefit: BenefitDefinition,
  household: HouseholdCircumstances,
  consent: ConsentRecord,
): ChecklistItem[] {
  return benefit.requiredDocuments
    .filter((d) => !d.onlyIf || household[CIRCUMSTANCE[d.onlyIf] as keyof HouseholdCircumstances])
    .map((d) => {
      const consultable =
        d.registry !== undefined &&
        !consent.objections.includes(d.registry) &&
        (d.consent !== 'Si' || consent.taxConsent);
      return {
        code: d.code,
        name: d.name,
        ...(consultable ? { registry: d.registry, consent: d.consent ?? 'NoOpo' } : {}),
      };
    });
}
