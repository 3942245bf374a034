import { RestError, type ContainerClient } from '@azure/storage-blob';

/** The drop container: `{connectorId}/{zip}` for each connector on the EML transport. */
export const EML_DROP_CONTAINER = 'eml-drop';

/** Where TeleMessage delivers a connector's ZIPs, as the SFTP local user's home directory names it. */
export function emlDropFolder(connectorId: string): string {
  return `${EML_DROP_CONTAINER}/${connectorId}`;
}

/** The drop zone as the administration sees it: one folder per connector on the EML transport. */
export interface EmlDropZone {
  /** Creates the connector's folder (and the container) if missing; returns `eml-drop/{connectorId}`. */
  prepareFolder(connectorId: string): Promise<string>;
}

/**
 * The drop container on the drop zone's account. With a hierarchical namespace (the SFTP account
 * in Azure) a folder is a real directory, and the SFTP local user's home directory must exist
 * before TeleMessage can sign in; a zero-length blob with `hdi_isfolder=true` creates it through
 * the Blob API. On a flat account (Azurite) it is an empty blob named after the connector, which
 * the importEmlDrop function ignores (not a `.zip` in a folder).
 */
export class BlobEmlDropZone implements EmlDropZone {
  constructor(private readonly container: ContainerClient) {}

  async prepareFolder(connectorId: string): Promise<string> {
    await this.container.createIfNotExists();
    try {
      await this.container.getBlockBlobClient(connectorId).upload('', 0, {
        metadata: { hdi_isfolder: 'true' },
        conditions: { ifNoneMatch: '*' },
      });
    } catch (error) {
      // 409/412: the folder (or its marker) is there already.
      if (!(error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412))) throw error;
    }
    return emlDropFolder(connectorId);
  }
}
