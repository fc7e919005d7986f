/**
 * The municipalities whose offices use the system. Codes are INE municipality codes (5 digits: province 08
 * then the municipality). The Consell Comarcal del Berguedà serves the comarca from Berga, so its office is
 * keyed by Berga's code.
 */
export const MUNICIPALITIES = {
  '08305': { name: 'Vilafranca del Penedès' },
  '08112': { name: 'Manlleu' },
  '08096': { name: 'Granollers' },
  '08169': { name: 'El Prat de Llobregat' },
  '08200': { name: 'Sant Boi de Llobregat' },
  '08187': { name: 'Sabadell' },
  '08022': { name: 'Berga (Consell Comarcal del Berguedà)' },
} as const satisfies Record<string, { name: string }>;

export type MunicipalityCode = keyof typeof MUNICIPALITIES;

export const MUNICIPALITY_CODES = Object.keys(MUNICIPALITIES) as [MunicipalityCode, ...MunicipalityCode[]];

export function isMunicipalityCode(code: string): code is MunicipalityCode {
  return Object.hasOwn(MUNICIPALITIES, code);
}
