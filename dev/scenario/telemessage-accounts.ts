import { join } from 'node:path';
import { JsonObjectReader, expectArray, readJsonFile } from './json-reader';
import { ScenarioError } from './scenario-error';
import { TELEMESSAGE_PRODUCTS, isTeleMessageProduct, type TeleMessageProduct } from './telemessage-item';

/** One TeleMessage API account: the credentials a connector is configured with. */
export interface TeleMessageAccount {
  username: string;
  password: string;
  /** The archivers this account may read. */
  products: TeleMessageProduct[];
}

/** `<scenario>/telemessage/accounts.json`. */
export function accountsFile(scenarioDir: string): string {
  return join(scenarioDir, 'telemessage', 'accounts.json');
}

/** Loads and validates `<scenario>/telemessage/accounts.json`. Passwords never appear in errors. */
export async function loadTeleMessageAccounts(scenarioDir: string): Promise<TeleMessageAccount[]> {
  const file = accountsFile(scenarioDir);
  const seen = new Set<string>();
  return expectArray(await readJsonFile(file), { file }).map((element, index) => {
    const reader = JsonObjectReader.from(element, { file, index });
    const username = reader.string('username');
    if (seen.has(username)) reader.fail('username', `duplicate username "${username}"`);
    seen.add(username);
    const password = reader.string('password');
    const products = reader.stringArray('products').map((product, i) => {
      if (!isTeleMessageProduct(product)) {
        throw new ScenarioError(
          `"${product}" is not one of ${TELEMESSAGE_PRODUCTS.map((p) => `"${p}"`).join(', ')}`,
          { file, index, field: `products[${i}]` },
        );
      }
      return product;
    });
    if (products.length === 0) reader.fail('products', 'must list at least one product');
    return { username, password, products: [...new Set(products)] };
  });
}
