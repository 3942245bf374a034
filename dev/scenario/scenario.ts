import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadScenarioConnectors, type ScenarioConnector } from './connectors';
import { loadDirectoryUsers, type DirectoryUser } from './directory-users';
import { loadTeleMessageAccounts, type TeleMessageAccount } from './telemessage-accounts';
import { TELEMESSAGE_PRODUCTS, type TeleMessageProduct } from './telemessage-item';
import { attachmentsDir, loadProductItems, type LocatedItem } from './telemessage-items';

/** The TeleMessage half of a scenario: what the TeleMessage simulator serves. */
export interface TeleMessageScenario {
  dir: string;
  accounts: TeleMessageAccount[];
  items: Record<TeleMessageProduct, LocatedItem[]>;
}

/** A whole scenario folder: TeleMessage data, the tenant's directory and the connectors to create. */
export interface Scenario extends TeleMessageScenario {
  directoryUsers: DirectoryUser[];
  connectors: ScenarioConnector[];
}

export async function loadTeleMessageScenario(scenarioDir: string): Promise<TeleMessageScenario> {
  const accounts = await loadTeleMessageAccounts(scenarioDir);
  const items = {} as Record<TeleMessageProduct, LocatedItem[]>;
  for (const product of TELEMESSAGE_PRODUCTS) items[product] = await loadProductItems(scenarioDir, product);
  return { dir: scenarioDir, accounts, items };
}

export async function loadScenario(scenarioDir: string): Promise<Scenario> {
  return {
    ...(await loadTeleMessageScenario(scenarioDir)),
    directoryUsers: await loadDirectoryUsers(scenarioDir),
    connectors: await loadScenarioConnectors(scenarioDir),
  };
}

/**
 * Consistency checks across files that the loaders leave alone, because a test scenario may break
 * them on purpose (an attachment that is gone, a connector with an unknown account). Returns one
 * sentence per problem; a bundled scenario should have none.
 */
export async function findScenarioInconsistencies(scenario: Scenario): Promise<string[]> {
  const problems: string[] = [];
  for (const connector of scenario.connectors) {
    const account = scenario.accounts.find((a) => a.username === connector.username);
    if (account === undefined) {
      problems.push(`connector "${connector.id}": no TeleMessage account "${connector.username}"`);
    } else if (!account.products.includes(connector.product)) {
      problems.push(`connector "${connector.id}": account "${connector.username}" has no product "${connector.product}"`);
    }
    if (connector.mappingCsv !== undefined) {
      const csv = join(scenario.dir, connector.mappingCsv);
      if (!(await isFile(csv))) problems.push(`connector "${connector.id}": mapping file ${csv} not found`);
    }
  }
  const checked = new Set<string>();
  for (const product of TELEMESSAGE_PRODUCTS) {
    for (const { item } of scenario.items[product]) {
      for (const attachment of item.attachments) {
        if (checked.has(attachment.id)) continue;
        checked.add(attachment.id);
        const file = join(attachmentsDir(scenario.dir), attachment.id);
        if (!(await isFile(file))) {
          problems.push(`item "${item.id}": attachment file ${file} not found`);
          continue;
        }
        const { size, sha256 } = await digestFile(file);
        if (size !== attachment.size) problems.push(`item "${item.id}": attachment "${attachment.id}" is ${size} bytes, item says ${attachment.size}`);
        if (sha256 !== attachment.sha256) problems.push(`item "${item.id}": attachment "${attachment.id}" sha256 does not match the file`);
      }
    }
  }
  return problems;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function digestFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}
