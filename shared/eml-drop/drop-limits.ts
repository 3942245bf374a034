/**
 * What a delivered ZIP may hold. A ZIP beyond any limit is refused whole (quarantined with the
 * reason), before anything in it is imported.
 */
export interface DropLimits {
  /** Entries in one ZIP (EML files, the manifest, anything else). */
  readonly maxEntries: number;
  /**
   * Uncompressed bytes of one entry. An EML carries its attachments base64-encoded (4/3 of their
   * size), so 200 MiB admits Graph's 150 MB attachment ceiling.
   */
  readonly maxEntryBytes: number;
  /** Uncompressed bytes of the whole ZIP. */
  readonly maxTotalBytes: number;
  /**
   * Uncompressed to compressed size of one entry. Base64 and text compress a few times at best;
   * a zip bomb compresses a thousand times. Entries smaller than {@link ratioFloorBytes} are not held to it.
   */
  readonly maxCompressionRatio: number;
  readonly ratioFloorBytes: number;
  /** The manifest is read into memory: it lists names, nothing more. */
  readonly maxManifestBytes: number;
}

export const DEFAULT_DROP_LIMITS: DropLimits = {
  maxEntries: 10_000,
  maxEntryBytes: 200 * 1024 * 1024,
  maxTotalBytes: 4 * 1024 * 1024 * 1024,
  maxCompressionRatio: 100,
  ratioFloorBytes: 1024 * 1024,
  maxManifestBytes: 4 * 1024 * 1024,
};
