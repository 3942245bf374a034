import type { Client } from '@microsoft/microsoft-graph-client';
import { SOURCE_PROPERTY_NAMES, sourcePropertyId } from '../conversion/extended-properties';
import { graphStatus } from './graph-errors';
import { graphQuery } from './graph-query';

/** A mailbox copy as read back for a custody check. */
export interface MailboxCopy {
  parentFolderId: string;
  bodyHtml: string;
  itemSha256?: string;
  attachmentsSha256?: string;
}

/**
 * Reads copies back through Graph, read-only (Mail.ReadBasic is not enough: the body is read, so
 * Mail.Read or Mail.ReadWrite). Never creates a folder or changes a message.
 */
export class GraphCopyReader {
  constructor(private readonly client: Client) {}

  /** The copy, or undefined when the mailbox no longer has a message with that id. */
  async readCopy(userId: string, messageId: string): Promise<MailboxCopy | undefined> {
    const itemProperty = sourcePropertyId(SOURCE_PROPERTY_NAMES.itemSha256);
    const attachmentsProperty = sourcePropertyId(SOURCE_PROPERTY_NAMES.attachmentsSha256);
    try {
      const message = (await this.client
        .api(`/users/${encodeURIComponent(userId)}/messages/${encodeURIComponent(messageId)}`)
        .select('parentFolderId,body')
        .expand(graphQuery`singleValueExtendedProperties($filter=id eq ${itemProperty} or id eq ${attachmentsProperty})`)
        .get()) as { parentFolderId: string; body?: { content?: string }; singleValueExtendedProperties?: Array<{ id: string; value: string }> };
      const property = (id: string): string | undefined =>
        message.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === id.toLowerCase())?.value;
      const itemSha256 = property(itemProperty);
      const attachmentsSha256 = property(attachmentsProperty);
      return {
        parentFolderId: message.parentFolderId,
        bodyHtml: message.body?.content ?? '',
        ...(itemSha256 === undefined ? {} : { itemSha256 }),
        ...(attachmentsSha256 === undefined ? {} : { attachmentsSha256 }),
      };
    } catch (error) {
      if (graphStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** The id of the mailbox's top-level folder with this name; undefined when there is none. */
  async findFolderId(userId: string, displayName: string): Promise<string | undefined> {
    const found = (await this.client
      .api(`/users/${encodeURIComponent(userId)}/mailFolders`)
      .filter(graphQuery`displayName eq ${displayName}`)
      .select('id,displayName')
      .get()) as { value: Array<{ id: string; displayName: string }> };
    return found.value.find((f) => f.displayName.toLowerCase() === displayName.toLowerCase())?.id;
  }
}
