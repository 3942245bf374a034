import type { ArchivedItem, CallItem, ItemKind, KindOf, MessageItem, Product, RecallItem } from '../items';

/**
 * What one TeleMessage archiver contributes to the conversion: its names and, for each kind of
 * item it produces, how such an item is described to a person reading the mailbox. Everything
 * about safety (escaping, header encoding, length limits) stays in the converter, so a module
 * returns plain text and never markup.
 */
export interface ProductModule<P extends Product = Product> {
  readonly product: P;
  /** The archiver's name as TeleMessage sells it, e.g. "AT&T SMS/MMS Network Archiver". */
  readonly displayName: string;
  /** The mailbox folder items go to unless the connector names another. */
  readonly defaultFolderName: string;
  readonly kinds: readonly KindOf<P>[];
  accepts(kind: string): boolean;
  /** Throws a plain Error for an item of another product or kind (a programming error). */
  describe(item: ArchivedItem): KindDescription;
  /**
   * The conversation's name, the same for every kind of item in it (a chat message, a call, a
   * recall): the converter sets it as the message's conversation topic, so that Outlook and
   * eDiscovery show a conversation's items under one heading. Plain text. Throws like
   * {@link ProductModule.describe} for an item of another product.
   */
  conversationTopic(item: ArchivedItem): string;
}

/** How one item reads in the mailbox. All values are plain text. */
export interface KindDescription {
  /**
   * What the item is, on one line, for an administrator scanning eDiscovery results. For kinds
   * that are ordinary messages it depends only on the conversation, so a conversation's items
   * share it and group together.
   */
  readonly subject: string;
  /** One sentence shown above the item's content. */
  readonly headline: string;
  /** Shown in place of the text when the item has none; absent where text is not expected (a call). */
  readonly noTextNote?: string;
  /** Facts particular to the kind, listed after the ones every item has. */
  readonly facts: readonly Fact[];
  /** Further source ids, each carried as an `x-telemessage-<name>` header (name: lower-case, digits, hyphens). */
  readonly sourceIds?: readonly SourceIdHeader[];
  /**
   * True when the item's pictures are its content, as in a chat message or an MMS: the pictures
   * that are imported are then shown in the body as well as attached. Absent or false for items
   * whose attachments are files in their own right (a shared file, a call recording).
   */
  readonly showsImagesInBody?: boolean;
}

export interface Fact {
  readonly label: string;
  /** Several values are listed one per line. */
  readonly value: string | readonly string[];
}

export interface SourceIdHeader {
  readonly name: string;
  readonly value: string;
}

/** The item type a kind's describer receives. */
export type ItemOfKind<K extends ItemKind> = K extends 'call'
  ? CallItem
  : K extends 'recall'
    ? RecallItem
    : MessageItem & { readonly kind: K };

export type KindDescribers<P extends Product> = { readonly [K in KindOf<P>]: (item: ItemOfKind<K>) => KindDescription };

export interface ProductModuleDefinition<P extends Product> {
  readonly product: P;
  readonly displayName: string;
  readonly defaultFolderName: string;
  /** One describer per kind of the product; the compiler insists on all of them. */
  readonly describers: KindDescribers<P>;
  /** See {@link ProductModule.conversationTopic}; receives only items of this product. */
  readonly conversationTopic: (item: ArchivedItem) => string;
}

/** Builds a {@link ProductModule} from one describer per kind. */
export function defineProductModule<P extends Product>(definition: ProductModuleDefinition<P>): ProductModule<P> {
  const describers = definition.describers as unknown as Readonly<Record<string, (item: ArchivedItem) => KindDescription>>;
  const kinds = Object.keys(describers) as KindOf<P>[];
  const accepts = (kind: string): boolean => Object.prototype.hasOwnProperty.call(describers, kind);
  const check = (item: ArchivedItem): void => {
    if (item.product !== definition.product || !accepts(item.kind)) {
      throw new Error(`The ${definition.product} product module cannot describe a ${item.product} ${item.kind} item`);
    }
  };
  return Object.freeze({
    product: definition.product,
    displayName: definition.displayName,
    defaultFolderName: definition.defaultFolderName,
    kinds: Object.freeze(kinds),
    accepts,
    describe(item: ArchivedItem): KindDescription {
      check(item);
      return describers[item.kind](item);
    },
    conversationTopic(item: ArchivedItem): string {
      check(item);
      return definition.conversationTopic(item);
    },
  });
}
