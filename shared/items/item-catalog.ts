/**
 * The TeleMessage products this connector archives and the kinds of item each one produces
 * (spec: "Kinds"). A later archiver is one more entry here plus one product module.
 */
export const PRODUCT_KINDS = {
  /** AT&T SMS/MMS Network Archiver. */
  'att-network': ['sms', 'mms'],
  /** WeChat Archiver (WeChat and WeCom). */
  wechat: ['chat', 'file', 'call', 'recall', 'system'],
} as const satisfies Record<string, readonly string[]>;

export type Product = keyof typeof PRODUCT_KINDS;

/** The kinds one product produces, e.g. `KindOf<'att-network'>` is `'sms' | 'mms'`. */
export type KindOf<P extends Product> = (typeof PRODUCT_KINDS)[P][number];

export type ItemKind = KindOf<Product>;

export const PRODUCTS: readonly Product[] = Object.keys(PRODUCT_KINDS) as Product[];

export function isProduct(value: unknown): value is Product {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PRODUCT_KINDS, value);
}

export function isKindOf(product: Product, kind: unknown): kind is ItemKind {
  return typeof kind === 'string' && (PRODUCT_KINDS[product] as readonly string[]).includes(kind);
}
