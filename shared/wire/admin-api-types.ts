/**
 * The JSON the admin API sends (docs/admin-web.md), defined once: the server builds these values
 * (shared/admin, shared/audit, shared/schedule, shared/mapping and shared/admin-web use and
 * re-export the types from here) and the admin page reads them (web/admin/api.ts re-exports
 * them). Types only and no imports: the page is compiled with the DOM library and no Node types,
 * and nothing of this file reaches the bundle. A name below declared again in web/ fails
 * test/architecture/single-definitions.test.ts.
 */

/** An app role of the admin API (Entra app roles, or the local sign-in's). */
export type AdminRole = 'Connectors.Admin' | 'Connectors.Read';

export type PrincipalSource = 'app-service' | 'local-signin';

/** `GET me`: who is signed in, what they may do, and the anti-forgery token for changes. */
export interface Me {
  principal: { id: string; name: string; source: PrincipalSource };
  roles: AdminRole[];
  canChange: boolean;
  csrfToken: string;
  localSignIn: boolean;
}

export type ConnectorTransport = 'archive-api' | 'eml-drop';

export type ConnectorHealth = 'healthy' | 'behind' | 'failing' | 'disabled';

export type FetchRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** The connector's last fetch run, as its record keeps it. */
export interface LastRun {
  runId: string;
  from: string;
  to: string;
  status: FetchRunStatus;
  at: string;
  error?: string;
}

/** The mapping file in force for a connector. */
export interface MappingFileRef {
  version: string;
  appliedAt: string;
  rows: number;
}

/** What is outstanding now, whatever run produced it (shared/admin/outstanding-items.ts). */
export type OutstandingStatus = 'unmapped' | 'failed' | 'partial' | 'quarantined';

/** A connector as the list and the connector page show it: its settings, its status now and what is outstanding. */
export interface ConnectorOverview {
  id: string;
  product: string;
  productName: string;
  folderName: string;
  transport: ConnectorTransport;
  enabled: boolean;
  autoMapping: boolean;
  region: string;
  baseUrl: string;
  username: string;
  /** The name of the secret holding the password; never the password. */
  passwordSecretName: string;
  status: ConnectorHealth;
  statusReason: string;
  checkpoint: string;
  /** How far the checkpoint is behind now, in seconds (archive API connectors only). */
  lagSeconds: number | null;
  lastRun: LastRun | null;
  lastSuccessAt: string | null;
  /** Items with at least one new copy since 00:00 UTC today. */
  importedToday: number;
  /** Outstanding now, whatever run produced them. */
  outstanding: Record<OutstandingStatus, number>;
  mappingFile: MappingFileRef | null;
  createdAt: string;
  updatedAt: string;
}

/** A product a connector can be added for. */
export interface ProductChoice {
  id: string;
  name: string;
  defaultFolderName: string;
}

/** One UTC day of a connector: fetched by its runs, and what became of the items archived that day, as it stands now. */
export interface ConnectorDay {
  day: string;
  fetched: number;
  imported: number;
  unmapped: number;
  partial: number;
  failed: number;
  quarantined: number;
}

/** The record of one fetch job: a connector's window, its attempts and what it stored. */
export interface FetchRun {
  connectorId: string;
  runId: string;
  /** The window: from (inclusive) and to (exclusive), ISO instants. */
  from: string;
  to: string;
  status: FetchRunStatus;
  attempts: number;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  fetched: number;
  stored: number;
  alreadyStored: number;
  missingAttachments: number;
  /** Items refused on the run's last attempt (attachments not matching, malformed), kept in `quarantine`. */
  quarantined?: number;
  durationMs?: number;
  error?: string;
}

export interface OutstandingParticipant {
  /** As shown to an administrator: name and number, email or WeChat id. */
  participant: string;
  /** 'unmapped' with why, 'imported'/'already imported' into a mailbox, or 'failed' with the error. */
  outcome: 'unmapped' | 'imported' | 'already imported' | 'failed';
  mailbox?: string;
  reason?: string;
}

export interface OutstandingItem {
  connectorId: string;
  itemId: string;
  status: OutstandingStatus;
  archivedAt?: string;
  updatedAt: string;
  attempts: number;
  /** The item's reason: the quarantine reason, the last error, or the first participant's reason. */
  reason: string;
  participants: OutstandingParticipant[];
  /** Unmapped participants in all, when more than are listed. */
  unmappedTotal?: number;
}

/** One problem of a mapping file, by line (null: the file as a whole). */
export interface MappingProblem {
  readonly line: number | null;
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
}

/** A mapping file report as the page shows it: rows, mapped users, problems by line, unknown addresses. */
export interface MappingReport {
  ok: boolean;
  rows: number;
  entries: number;
  mappedUsers: number;
  errors: MappingProblem[];
  warnings: MappingProblem[];
  unknownAddresses: Array<Pick<MappingProblem, 'line' | 'code' | 'message'>>;
  /** The reader's counts (bytes, lines, delimiter, encoding, …). */
  stats: object;
  /** Whether the addresses were looked up in the directory (the check routes only). */
  directoryChecked?: boolean;
}

/** One applied mapping file, kept as `{connectorId}/versions/{version}.csv`. */
export interface MappingFileVersion {
  version: string;
  appliedAt: string;
  sha256: string;
  rows: number;
  bytes: number;
  /** The file's name on the administrator's machine, when known. */
  fileName?: string;
  /** Who applied it (a signed-in administrator, or `cli:<user>`), when known. */
  appliedBy?: string;
  blobName: string;
}

export interface MappingVersionListing {
  /** The version in force, if any. */
  current?: string;
  /** Oldest first. */
  versions: MappingFileVersion[];
}

/** What changed from one mapping version to another: numbers added, removed, or mapped elsewhere. */
export interface MappingDiff {
  from: string;
  to: string;
  added: { number: string; address: string }[];
  removed: { number: string; address: string }[];
  changed: { number: string; from: string; to: string }[];
  unchanged: number;
}

/** Who made a change: a signed-in administrator of the web page, or the command line's OS user. */
export interface AuditActor {
  /** Entra object id, `local:<name>` for the local sign-in, `cli:<os user>` for the command line. */
  readonly id: string;
  readonly name: string;
  readonly via: 'web' | 'web-local' | 'cli';
}

export type AuditAction =
  | 'connector.added'
  | 'connector.enabled'
  | 'connector.disabled'
  | 'connector.settings-changed'
  | 'connector.run'
  | 'connector.backfill'
  | 'mapping.applied'
  | 'mapping.rolled-back'
  | 'items.replayed';

/** One change: who, when, what, before and after. Never a secret (the callers pass records without one). */
export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly actor: AuditActor;
  readonly action: AuditAction;
  readonly connectorId?: string;
  readonly before?: unknown;
  readonly after?: unknown;
  /** What else describes the change (a back-fill window, replayed item counts, a mapping version). */
  readonly details?: Readonly<Record<string, unknown>>;
}
