import { errorCode, type ReportFileSystem, type ReportPath } from './report-host.js';

/** Suffixes tried before giving up: far more checks of one name than any test makes, and a bound on a loop over a broken directory. */
const MAX_SUFFIX = 100_000;

/**
 * Writes `contents` to `<directory>/<base>.json`, or else `<base>-2.json`, `<base>-3.json`, …: the
 * first name no file has yet, created exclusively (`wx`, O_CREAT | O_EXCL). The file system
 * decides who gets a name, so two worker processes checking tests of the same name never
 * overwrite each other's reports, and neither does a second run into the same directory.
 * `firstSuffix` only skips names this process already knows are taken.
 */
export function writeNewFile(
  fs: ReportFileSystem,
  path: ReportPath,
  directory: string,
  base: string,
  contents: string,
  firstSuffix = 1,
): { file: string; suffix: number } {
  for (let suffix = Math.max(1, firstSuffix); suffix <= MAX_SUFFIX; suffix++) {
    const file = path.join(directory, `${suffix === 1 ? base : `${base}-${suffix}`}.json`);
    try {
      fs.writeFileSync(file, contents, { flag: 'wx' });
      return { file, suffix };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
  throw new Error(`${MAX_SUFFIX} report files named ${base}-N.json already exist in ${directory}`);
}
