/**
 * Loads the benefit catalogue: domain/catalogue/<INE code>/<effective-from date>.json, one file per version,
 * each validated on load. A bad file stops the load with its path and every problem in it.
 */
import path from 'node:path';
import { catalogueVersionSchema } from '../../domain/catalogue';
import type { CatalogueVersion } from '../../domain/catalogue';
import { readDataFile, readDataFolder } from './data-files';

export const DEFAULT_CATALOGUE_DIR = path.resolve(__dirname, '..', '..', 'domain', 'catalogue');

export class CatalogueDataError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'CatalogueDataError';
  }
}

export function loadCatalogue(dir: string = DEFAULT_CATALOGUE_DIR): CatalogueVersion[] {
  const versions: CatalogueVersion[] = [];
  for (const code of readDataFolder(dir, (problem) => new CatalogueDataError(dir, problem))) {
    const folder = path.join(dir, code);
    for (const name of readDataFolder(folder, (problem) => new CatalogueDataError(folder, problem))) {
      const file = path.join(dir, code, name);
      const m = /^(\d{4}-\d{2}-\d{2})\.json$/.exec(name);
      if (!m) throw new CatalogueDataError(file, 'catalogue files are named <effective-from date>.json');
      const version = readDataFile(
        file,
        catalogueVersionSchema,
        (problem) => new CatalogueDataError(file, problem),
      );
      if (version.municipalityCode !== code) {
        throw new CatalogueDataError(
          file,
          `municipalityCode ${version.municipalityCode} is not its folder's ${code}`,
        );
      }
      if (version.effectiveFrom !== m[1]) {
        throw new CatalogueDataError(
          file,
          `effectiveFrom ${version.effectiveFrom} is not its file name's ${m[1]}`,
        );
      }
      const clash = versions.find((v) => v.municipalityCode === code && v.version === version.version);
      if (clash) throw new CatalogueDataError(file, `version ${version.version} is already defined`);
      versions.push(version);
    }
  }
  return versions;
}
