import { createHash } from 'node:crypto';
import type { DayCounts, ReconciledItem, UtcDay } from './day-reconciliation';

export const MANIFEST_FORMAT = 'telemessage-archiver/day-manifest/v1';

/**
 * The record of a reconciled day, written once into the immutable archive: every item with its
 * hash and its attachments' hashes, and every copy (mailbox and message id).
 */
export interface DayManifest {
  format: typeof MANIFEST_FORMAT;
  connectorId: string;
  product: string;
  day: UtcDay;
  generatedAt: string;
  counts: DayCounts;
  items: ReconciledItem[];
}

/** The manifest's bytes as stored: stable key order (as built), two-space JSON, a final newline. */
export function manifestBytes(manifest: DayManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `{connectorId}/{day}.json` in `archive-manifests`; the signature sits beside it as `.sig.json`. */
export function manifestBlobName(connectorId: string, day: UtcDay): string {
  return `${encodeURIComponent(connectorId)}/${day}.json`;
}

export const SIGNATURE_FORMAT = 'telemessage-archiver/manifest-signature/v1';

/** The detached signature of a manifest, verifiable offline with the key's public part. */
export interface ManifestSignature {
  format: typeof SIGNATURE_FORMAT;
  /** The Key Vault key (versioned id) that signed. */
  keyId: string;
  /** JWS name: RS256 is RSASSA-PKCS1-v1_5 over SHA-256 of the manifest's bytes. */
  algorithm: 'RS256';
  manifestBlob: string;
  manifestSha256: string;
  /** Base64. */
  signature: string;
}
