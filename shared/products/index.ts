export { attNetworkModule } from './att-network';
export { conversationMembers, counterparts, groupSummary, isGroupConversation } from './conversation-parties';
export { countOf, formatByteSize, formatDuration, formatUtcMinute, formatUtcTime } from './display-format';
export {
  formatPhoneNumber,
  participantFullLabel,
  participantIdentifiers,
  participantLabel,
  participantName,
} from './participant-labels';
export {
  defineProductModule,
  type Fact,
  type ItemOfKind,
  type KindDescribers,
  type KindDescription,
  type ProductModule,
  type ProductModuleDefinition,
  type SourceIdHeader,
} from './product-module';
export { PRODUCT_MODULES, productModule } from './product-registry';
export { wechatModule } from './wechat';
