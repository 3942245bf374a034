import { PRODUCTS, type Product } from '../items/item-catalog';
import type { Readable } from 'node:stream';

/**
 * The transport-neutral view of a mobile-communication archive that the fetch stage reads from.
 * TeleMessage's HTTP retrieval API is one implementation ({@link TeleMessageClient}); another
 * transport (a daily ZIP of EML files on SFTP, say) would sit beside it behind this interface.
 */
export interface ArchiveSource {
  /**
   * Items archived in `[window.from, window.to)`, ordered by (archivedAt, id). Iterate items
   * directly, or pages through `byPage()` (each page carries the token that resumes after it).
   * A bad window or limit is refused synchronously, before any request is made.
   */
  listItems(product: ArchiveProduct, window: ArchiveWindow, options?: ListItemsOptions): ArchiveItemIterator;

  /**
   * Opens one attachment's bytes from `offset` on. The returned stream yields exactly the bytes
   * from `offset` to the end; when the connection fails part-way it is destroyed with an
   * {@link ArchiveSourceError} whose `retryable` is true, and the caller may open again from the
   * offset it reached.
   */
  openAttachment(product: ArchiveProduct, attachmentId: string, options?: OpenAttachmentOptions): Promise<AttachmentDownload>;

  /** Proves the configured credentials are accepted; throws an authentication error otherwise. */
  verifyConnection(options?: { signal?: AbortSignal }): Promise<void>;
}

/** The products the source serves: every product of the item catalog, declared once there. */
export const ARCHIVE_PRODUCTS = PRODUCTS;

/** `att-network`: AT&T SMS/MMS Network Archiver; `wechat`: WeChat Archiver (WeChat and WeCom). */
export type ArchiveProduct = Product;

export function isArchiveProduct(value: unknown): value is ArchiveProduct {
  return typeof value === 'string' && (ARCHIVE_PRODUCTS as readonly string[]).includes(value);
}

/** `from` is inclusive, `to` exclusive; both compared with each item's `archivedAt`. */
export interface ArchiveWindow {
  from: Date;
  to: Date;
}

/**
 * One archived item as the source returned it. Only `id` is guaranteed by the listing; every
 * other field is kept exactly as received so that the stored copy loses nothing. The import
 * stage owns the typed model of the remaining fields.
 */
export interface ArchiveItem {
  readonly id: string;
  readonly [field: string]: unknown;
}

export interface ArchiveItemPage {
  items: ArchiveItem[];
  /** Pass to `byPage({ continuationToken })` to continue after this page; absent on the last page. */
  continuationToken?: string;
}

export interface ArchiveItemIterator extends AsyncIterableIterator<ArchiveItem> {
  byPage(settings?: { continuationToken?: string }): AsyncIterableIterator<ArchiveItemPage>;
}

export interface ListItemsOptions {
  /** Items per page, 1–500; the source's default (100 for TeleMessage) when omitted. */
  limit?: number;
  signal?: AbortSignal;
}

export interface OpenAttachmentOptions {
  /** First byte to deliver; 0 (the default) means the whole attachment. */
  offset?: number;
  signal?: AbortSignal;
}

export interface AttachmentDownload {
  /** The bytes from `offset` to the end. Destroy it to give up early. */
  stream: Readable;
  contentType: string;
  /** How many bytes `stream` will yield, when the source said so. */
  contentLength: number | undefined;
  /** The attachment's full size, when the source said so. */
  totalSize: number | undefined;
  /** The offset the stream starts at (the one asked for). */
  offset: number;
}
