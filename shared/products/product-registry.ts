import type { Product } from '../items';
import { attNetworkModule } from './att-network';
import type { ProductModule } from './product-module';
import { wechatModule } from './wechat';

const MODULES: { readonly [P in Product]: ProductModule<P> } = {
  'att-network': attNetworkModule,
  wechat: wechatModule,
};

/** The module of a product; every product in the item catalog has one (the compiler checks). */
export function productModule<P extends Product>(product: P): ProductModule<P> {
  const module = Object.prototype.hasOwnProperty.call(MODULES, product) ? MODULES[product] : undefined;
  if (module === undefined) {
    throw new Error(`No product module for ${JSON.stringify(product)}`);
  }
  return module;
}

export const PRODUCT_MODULES: readonly ProductModule[] = Object.values(MODULES);
