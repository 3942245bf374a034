import { DropRefusedError } from './drop-errors';
import type { ZipEntryInfo } from './zip-archive';

/** The `.mf` manifest of a TeleMessage EML export, as read. */
export interface DropManifest {
  /** The manifest's own entry name. */
  readonly entry: string;
  /** Its `Count:` value. */
  readonly count: number;
  /** The EML file names it lists, in its order. */
  readonly names: readonly string[];
}

/** The entries of a ZIP that the manifest rules speak of. */
export interface DropContents {
  readonly manifestEntry: string;
  /** The EML entries of the ZIP, in ZIP order (what is imported). */
  readonly emlEntries: readonly ZipEntryInfo[];
}

const isEml = (entry: ZipEntryInfo): boolean => !entry.isDirectory && /\.eml$/i.test(entry.name);

/** Finds the one `.mf` manifest and the EML files of a ZIP. */
export function findDropContents(entries: readonly ZipEntryInfo[]): DropContents {
  const manifests = entries.filter((entry) => !entry.isDirectory && /\.mf$/i.test(entry.name));
  if (manifests.length === 0) throw new DropRefusedError('no-manifest', 'The ZIP has no .mf manifest; TeleMessage puts one in every export ZIP.');
  if (manifests.length > 1) {
    throw new DropRefusedError('several-manifests', `The ZIP has ${manifests.length} .mf manifests (${manifests.map((m) => m.name).join(', ')}); one is expected.`);
  }
  return { manifestEntry: (manifests[0] as ZipEntryInfo).name, emlEntries: entries.filter(isEml) };
}

/**
 * Reads a manifest: a `Count: N` line and the EML file names, one a line, either alone or as the
 * value of a `Name: value` line. Other lines (dates, the export's own fields) are ignored, so the
 * manifest's other fields can change without breaking the import.
 */
export function parseDropManifest(entry: string, text: string): DropManifest {
  let count: number | undefined;
  const names: string[] = [];
  for (const [index, rawLine] of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).entries()) {
    const line = rawLine.trim();
    if (line === '') continue;
    const countMatch = /^count\s*:\s*(.*)$/i.exec(line);
    if (countMatch !== null) {
      const value = (countMatch[1] as string).trim();
      if (!/^\d{1,9}$/.test(value)) {
        throw new DropRefusedError('manifest-unreadable', `Line ${index + 1}: "Count:" is ${JSON.stringify(value)}, not a whole number.`, entry);
      }
      if (count !== undefined) throw new DropRefusedError('manifest-unreadable', `Line ${index + 1}: a second "Count:" line.`, entry);
      count = Number(value);
      continue;
    }
    const field = /^[A-Za-z][\w -]*:\s*(.+)$/.exec(line);
    const candidate = field !== null && /\.eml$/i.test(field[1] as string) ? (field[1] as string).trim() : line;
    if (/\.eml$/i.test(candidate)) names.push(candidate);
  }
  if (count === undefined) throw new DropRefusedError('manifest-unreadable', 'The manifest has no "Count:" line.', entry);
  return { entry, count, names };
}

/**
 * The rules TeleMessage gives for its export ZIPs (docs.smarsh.com, "Summarizing fields in
 * exported EML format"): `Count:` equals the number of EML files in the ZIP; every name listed is
 * in the ZIP, spelled exactly; none is a zero-byte file. An EML file the manifest does not list
 * is refused too: nothing is imported that TeleMessage did not say it sent.
 */
export function checkDropManifest(manifest: DropManifest, contents: DropContents): void {
  const emlByName = new Map(contents.emlEntries.map((entry) => [entry.name, entry]));
  if (manifest.count !== contents.emlEntries.length) {
    throw new DropRefusedError(
      'count-mismatch',
      `The manifest says "Count: ${manifest.count}" but the ZIP holds ${contents.emlEntries.length} EML file${contents.emlEntries.length === 1 ? '' : 's'}.`,
      manifest.entry,
    );
  }
  const listed = new Set<string>();
  for (const name of manifest.names) {
    if (listed.has(name)) throw new DropRefusedError('manifest-unreadable', `${JSON.stringify(name)} is listed twice.`, manifest.entry);
    listed.add(name);
    const entry = emlByName.get(name);
    if (entry === undefined) throw new DropRefusedError('listed-missing', `The manifest lists ${JSON.stringify(name)}, which is not in the ZIP.`, manifest.entry);
    if (entry.uncompressedSize === 0) throw new DropRefusedError('zero-bytes', 'The EML file is empty (zero bytes).', name);
  }
  for (const entry of contents.emlEntries) {
    if (!listed.has(entry.name)) throw new DropRefusedError('not-listed', 'The EML file is in the ZIP but not in the manifest.', entry.name);
  }
}
