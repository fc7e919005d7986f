/**
 * What the office learns from other administrations' registries (Llei 39/2015 art. 28.2), in the terms the
 * eligibility rules use, and how the answers of several services add up.
 */
import type { IsoDate } from './dates';

export interface RegistryFacts {
  registeredInMunicipality?: boolean | undefined;
  residenceSince?: IsoDate | undefined;
  /** Monthly amounts, in euros. */
  benefitsReceived?: { IMV?: number | undefined; RGC?: number | undefined } | undefined;
  benefitsApplied?: ('IMV' | 'RGC')[] | undefined;
  /** Income for social benefits of the last closed tax year (AEAT C4), in euros. */
  annualIncome?: number | undefined;
  /** The municipal register records the holder's death. */
  deceased?: boolean | undefined;
  /** Specially protected person: the registry confirms facts but withholds the address. */
  specialProtection?: boolean | undefined;
}

/** Adds what one service told to what others did; later answers fill in, never erase, earlier ones. */
export function mergeFacts(a: RegistryFacts, b: RegistryFacts): RegistryFacts {
  const defined = <T extends object>(o: T): Partial<T> =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const merged: RegistryFacts = { ...defined(a), ...defined(b) };
  if (a.benefitsReceived || b.benefitsReceived) {
    merged.benefitsReceived = {
      ...defined(a.benefitsReceived ?? {}),
      ...defined(b.benefitsReceived ?? {}),
    };
  }
  return merged;
}

/** Tax data: consulted only with the person's express consent (`Si`), never by default. */
export const EXPRESS_CONSENT_SERVICES: readonly string[] = ['AEAT_IRPF', 'AEAT_DADES'];

/** What the person's filing says about one registry: how it may be consulted, or that it may not. */
export type ConsentRecordValue = 'Si' | 'NoOpo' | 'objected' | 'not_given';

/** The consent record of a filing, per registry service (recorded at intake, checked before every call). */
export function consentPerService(
  consent: { objections: readonly string[]; taxConsent: boolean },
  services: readonly string[],
): { service: string; consent: ConsentRecordValue }[] {
  return services.map((service) => ({
    service,
    consent: consent.objections.includes(service)
      ? 'objected'
      : EXPRESS_CONSENT_SERVICES.includes(service)
        ? consent.taxConsent
          ? 'Si'
          : 'not_given'
        : 'NoOpo',
  }));
}

/** Whether a service may be consulted under what the person said. */
export function mayConsult(service: string, recorded: ConsentRecordValue | undefined): boolean {
  if (recorded === 'objected' || recorded === 'not_given') return false;
  return !EXPRESS_CONSENT_SERVICES.includes(service) || recorded === 'Si';
}
