export * from './drop-errors';
export * from './drop-limits';
export * from './drop-manifest';
export * from './eml-archive-item';
export * from './eml-drop-service';
export * from './eml-message';
export * from './telemessage-participant';
export * from './zip-archive';
