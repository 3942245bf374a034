/**
 * The record of one fetch job: a connector's window (a `FetchWindow`'s `from` and `to`), its
 * attempts and what it stored. The admin API sends it as it is, so it is defined once with the
 * admin page's other wire types.
 */
export type { FetchRun, FetchRunStatus } from '../wire/admin-api-types';
