/**
 * The one interface through which the workflow consults other administrations (Llei 39/2015 art. 28.2).
 * The PCI/SCSP connectors plug in behind `RegistryGateway`; without one configured, nothing is consulted and
 * every document is requested from the person, which is what an office without Via Oberta access does.
 */
export interface RegistryFacts {
  registeredInMunicipality?: boolean | undefined;
  residenceSince?: string | undefined;
  benefitsReceived?: { IMV?: number | undefined; RGC?: number | undefined } | undefined;
  benefitsApplied?: ('IMV' | 'RGC')[] | undefined;
}

export interface ConsultationRequest {
  applicationId: string;
  municipalityCode: string;
  documentNumber: string;
  /** Checklist items another administration holds, each with its registry service. */
  items: { code: string; registry: string }[];
}

export interface ConsultationResult {
  /** Codes of the checklist items obtained from registries (not asked of the person). */
  obtained: string[];
  facts: RegistryFacts;
}

export interface RegistryGateway {
  consult(request: ConsultationRequest): Promise<ConsultationResult>;
}

export function createRegistryActivities({ registries }: { registries?: RegistryGateway | undefined }) {
  return {
    async consultRegistries(request: ConsultationRequest): Promise<ConsultationResult> {
      if (!registries || request.items.length === 0) return { obtained: [], facts: {} };
      return registries.consult(request);
    },
  };
}
