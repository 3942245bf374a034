export * from './phone-number';
export * from './email-address';
export * from './custom-mapping';
export * from './directory';
export * from './caching-user-directory';
export * from './mapping-file';
export * from './digits-only-number';
export * from './participant-mapper';
