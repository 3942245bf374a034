import type { ConnectorTransport, LastRun, MappingFileRef } from '../wire/admin-api-types';
// The admin API sends these as they are: defined once, with the admin page's other wire types.
export type { ConnectorTransport, LastRun, MappingFileRef } from '../wire/admin-api-types';
/** The connector's transport; connectors stored before transports existed use the archive API. */
export function connectorTransport(connector: Pick<Connector, 'transport'>): ConnectorTransport {
  return connector.transport ?? 'archive-api';
}

/** A configured TeleMessage archiver feeding one folder in each mapped mailbox. */
export interface Connector {
  id: string;
  product: string;
  /** The mailbox folder the items land in, e.g. "AT&T SMS/MMS Network Archiver". */
  folderName: string;
  /** TeleMessage API base URL; empty on the `eml-drop` transport. */
  baseUrl: string;
  /** Empty on the `eml-drop` transport. */
  username: string;
  /** Name of the secret holding the TeleMessage password (Key Vault in Azure, an app setting locally); empty on the `eml-drop` transport. */
  passwordSecretName: string;
  /**
   * How items arrive: `archive-api` (the default, also when absent) fetches from TeleMessage's
   * archive API on schedule; `eml-drop` takes the ZIPs of EML files TeleMessage delivers over SFTP
   * into the connector's folder of the drop container, and is never scheduled.
   */
  transport?: ConnectorTransport;
  enabled: boolean;
  autoMapping: boolean;
  /** ISO 3166 region for numbers written without a country code, e.g. "US". */
  defaultRegion: string;
  /** Every item archived before this instant is stored. */
  checkpoint: string;
  /** Fetch windows have been queued up to this instant. */
  scheduledThrough: string;
  createdAt: string;
  updatedAt: string;
  /** The custom mapping file in force, if any. */
  mappingFile?: MappingFileRef;
  lastRun?: LastRun;
  /** When a fetch run last succeeded (alerting: none for 26 hours). */
  lastSuccessAt?: string;
}

