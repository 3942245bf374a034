export { ScenarioError } from './scenario-error';
export { parseInstant, formatInstant } from './rfc3339';
export { loadDirectoryUsers, directoryUsersFile, type DirectoryUser } from './directory-users';
export { loadTeleMessageAccounts, accountsFile, type TeleMessageAccount } from './telemessage-accounts';
export {
  TELEMESSAGE_PRODUCTS,
  ITEM_KINDS,
  ATTACHMENT_ID,
  isTeleMessageProduct,
  validateItem,
  type TeleMessageProduct,
  type TeleMessageItem,
  type Participant,
  type ItemAttachment,
  type CallDetails,
  type RecallDetails,
} from './telemessage-item';
export {
  loadProductItems,
  parseItemsFile,
  productItemsDir,
  attachmentsDir,
  type LocatedItem,
} from './telemessage-items';
export { loadScenarioConnectors, connectorsFile, type ScenarioConnector } from './connectors';
export {
  loadScenario,
  loadTeleMessageScenario,
  findScenarioInconsistencies,
  type Scenario,
  type TeleMessageScenario,
} from './scenario';
