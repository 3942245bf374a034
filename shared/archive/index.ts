export * from './archive-store';
export * from './archive-store-errors';
export { readAttachmentRefs, type AttachmentRef } from './attachment-refs';
export { ATTACHMENT_METADATA, BlobArchiveStore, type BlobArchiveStoreOptions } from './blob-archive-store';
export * from './blob-names';
export * from './stored-item';
