import assert from 'node:assert/strict';
import type { Scenario } from '../../dev/scenario/scenario';
import type { ExpectedItem } from './end-state';
import { ATT_FOLDER } from './e2e-scenario';

/** The demo scenario README's "mailboxes expected" column, by first name. */
export const EXPECTED_MAILBOXES: Record<string, string[]> = {
  'tm-att-0001': ['ana'], 'tm-att-0002': ['ana'], 'tm-att-0003': ['ben'], 'tm-att-0004': ['ana'], 'tm-att-0005': ['dana'],
  'tm-att-0006': ['dana'], 'tm-att-0007': ['ana'], 'tm-att-0008': ['ana', 'ben', 'dana'], 'tm-att-0009': ['ana', 'ben', 'dana'],
  'tm-att-0010': ['ana'], 'tm-att-0011': ['ana'], 'tm-att-0012': [], 'tm-att-0013': ['dana'], 'tm-att-0014': ['ben'],
  'tm-att-0015': ['ben'], 'tm-att-0016': ['ana', 'greg'], 'tm-att-0017': ['ana', 'greg'], 'tm-att-0018': ['ana', 'chen'],
  'tm-att-0019': [], 'tm-att-0020': ['dana'], 'tm-att-0021': ['dana'], 'tm-att-0022': ['ben', 'dana'], 'tm-att-0023': [],
  'tm-att-0024': ['ana'], 'tm-att-0025': ['ana'],
  'tm-wc-0001': ['chen'], 'tm-wc-0002': ['chen'], 'tm-wc-0003': ['chen'], 'tm-wc-0004': ['chen'], 'tm-wc-0005': ['chen'],
  'tm-wc-0006': ['chen'], 'tm-wc-0007': ['chen'], 'tm-wc-0008': ['chen'], 'tm-wc-0009': ['chen'], 'tm-wc-0010': ['chen'],
  'tm-wc-0011': ['chen'], 'tm-wc-0012': ['ana'],
};

export const UPN: Record<string, string> = {
  ana: 'ana.diaz@contoso.com', ben: 'ben.walker@contoso.com', chen: 'chen.wei@contoso.com', dana: 'dana.kim@contoso.com', greg: 'greg.novak@contoso.com',
};

/** Every item of the demo scenario with the mailboxes and folder the README expects it in. */
export function demoExpectedItems(scenario: Scenario): ExpectedItem[] {
  return [...scenario.items['att-network'], ...scenario.items.wechat].map(({ item }) => ({
    item,
    mailboxes: (EXPECTED_MAILBOXES[item.id] ?? assert.fail(`${item.id} is not in the README's table`)).map((name) => UPN[name]!),
    folder: item.product === 'wechat' ? 'WeChat Archiver' : ATT_FOLDER,
  }));
}
