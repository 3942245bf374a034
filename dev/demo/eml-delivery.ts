import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { BlobServiceClient } from '@azure/storage-blob';
import { connectorTransport, type Connector } from '../../shared/connectors/connector';
import { EML_DROP_CONTAINER } from '../../shared/eml-drop/eml-drop-service';
import { attachmentsDir } from '../scenario/telemessage-items';
import { isTeleMessageProduct } from '../scenario/telemessage-item';
import { writeEmlExportZip, type TeleMessageSimulator } from '../simulators/telemessage';

export interface EmlDelivery {
  connectorId: string;
  /** `eml-drop/{connectorId}/{zip}`. */
  blobName: string;
  messages: number;
}

/**
 * What TeleMessage does for a connector on the EML transport: writes the connector's product's
 * items (as the simulator serves them, rebased) into one export ZIP and delivers it into the
 * connector's folder of the drop container, as SFTP would. Delivering again is harmless: the
 * import stores nothing twice.
 */
export async function deliverEmlExports(options: {
  connectors: readonly Connector[];
  teleMessage: TeleMessageSimulator;
  scenarioDir: string;
  blobs: BlobServiceClient;
  zippedAt?: Date;
}): Promise<EmlDelivery[]> {
  const container = options.blobs.getContainerClient(EML_DROP_CONTAINER);
  await container.createIfNotExists();
  const deliveries: EmlDelivery[] = [];
  for (const connector of options.connectors) {
    if (connectorTransport(connector) !== 'eml-drop' || !isTeleMessageProduct(connector.product)) continue;
    const items = options.teleMessage.items(connector.product);
    const zip = await writeEmlExportZip(items, (_item, attachmentId) => createReadStream(join(attachmentsDir(options.scenarioDir), attachmentId)), {
      zippedAt: options.zippedAt ?? new Date(),
    });
    const blobName = `${connector.id}/${zip.name}`;
    await container.getBlockBlobClient(blobName).uploadData(zip.bytes, { blobHTTPHeaders: { blobContentType: 'application/zip' } });
    deliveries.push({ connectorId: connector.id, blobName: `${EML_DROP_CONTAINER}/${blobName}`, messages: items.length });
  }
  return deliveries;
}
