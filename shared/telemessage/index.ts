export * from './archive-source';
export * from './archive-source-errors';
export { MAX_WINDOW_DAYS, formatInstant, validateWindow } from './archive-window';
export {
  DEFAULT_REQUEST_TIMEOUT_MS,
  MAX_PAGE_LIMIT,
  MIN_PAGE_LIMIT,
  TeleMessageClient,
  type TeleMessageClientOptions,
} from './telemessage-client';
