/**
 * A delivered ZIP that cannot be imported as it is: its structure, its manifest or one of its EML
 * files is wrong. The ZIP is quarantined with `message` as the reason and nothing of it is
 * imported; delivering a corrected ZIP imports it.
 */
export class DropRefusedError extends Error {
  override readonly name = 'DropRefusedError';

  constructor(
    /** A short code for counting and tests. */
    readonly code: DropRefusal,
    message: string,
    /** The entry of the ZIP the problem is in, when it is one entry's. */
    readonly entry?: string,
  ) {
    super(entry === undefined ? message : `${entry}: ${message}`);
  }
}

export type DropRefusal =
  | 'not-a-zip'
  | 'too-many-entries'
  | 'entry-too-large'
  | 'too-large'
  | 'compression-ratio'
  | 'unsafe-name'
  | 'duplicate-name'
  | 'encrypted'
  | 'no-manifest'
  | 'several-manifests'
  | 'manifest-unreadable'
  | 'count-mismatch'
  | 'listed-missing'
  | 'not-listed'
  | 'zero-bytes'
  | 'eml-unreadable';
