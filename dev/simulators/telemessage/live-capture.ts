import { randomBytes } from 'node:crypto';
import { formatInstant } from '../../scenario/rfc3339';
import type { TeleMessageScenario } from '../../scenario/scenario';
import type { Participant, TeleMessageItem, TeleMessageProduct } from '../../scenario/telemessage-item';
import type { TeleMessageSimulator } from './telemessage-simulator';

export interface LiveCaptureOptions {
  /** Mean time between captures; each wait is drawn from 0.5× to 1.5× of it. */
  intervalMs: number;
  product: TeleMessageProduct;
  /** Where the conversations come from; default the simulator's current items of `product`. */
  scenario?: TeleMessageScenario;
  /** Source of randomness in [0, 1); default Math.random. Pass a seeded one for repeatable runs. */
  random?: () => number;
  /** Called with each captured item. */
  onCapture?: (item: TeleMessageItem) => void;
}

export interface LiveCapture {
  /** Captures one message now, independent of the timer. */
  captureNow(): TeleMessageItem;
  /** Stops the timer; captured items stay in the simulator. */
  stop(): void;
  /** How many items this helper has captured. */
  readonly captured: number;
}

interface DirectConversation {
  id: string;
  account: Participant;
  counterpart: Participant;
}

const TEXTS: readonly string[] = [
  'On my way, 10 minutes out',
  'Can you send me the latest numbers before the call?',
  'Thanks, got it 👍',
  'Running late, start without me',
  'Is the 3pm still on?',
  'Call me when you have a minute',
  'Signed copy is in your inbox',
  'Meeting moved to room 4B',
  'Sure, Thursday works for me',
  'Landed, heading to the office now ✈️',
  'Can we push the review to tomorrow morning?',
  'Client confirmed the order 🎉',
  '收到，谢谢！',
  'Please approve the PO when you get a chance',
  'Parking garage is full, using the lot across the street',
];

/**
 * Captures a realistic text message (an `sms` on att-network, a `chat` on wechat) every so often,
 * between the account and counterpart of one of the scenario's direct conversations, so a running
 * demo keeps receiving fresh items.
 */
export function startLiveCapture(sim: TeleMessageSimulator, options: LiveCaptureOptions): LiveCapture {
  if (!(options.intervalMs > 0)) throw new RangeError('intervalMs must be greater than 0');
  const random = options.random ?? Math.random;
  const source = options.scenario?.items[options.product].map((located) => located.item) ?? sim.items(options.product);
  const conversations = directConversations(source, options.product);
  if (conversations.length === 0) {
    throw new Error(`the scenario has no direct ${options.product} conversation to capture live messages in`);
  }
  // The random part keeps two helpers started in the same millisecond from clashing.
  const idPrefix = `${options.product === 'att-network' ? 'tm-att' : 'tm-wc'}-live-${sim.now().getTime().toString(36)}${randomBytes(2).toString('hex')}`;
  let captured = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length) % values.length] as T;

  const captureNow = (): TeleMessageItem => {
    const conversation = pick(conversations);
    const outbound = random() < 0.5;
    const now = sim.now().getTime();
    const item = sim.capture(options.product, {
      id: `${idPrefix}-${String(captured + 1).padStart(4, '0')}`,
      kind: options.product === 'att-network' ? 'sms' : 'chat',
      archivedAt: formatInstant(now),
      // Carriers hand messages over a few seconds after they were sent.
      sentAt: formatInstant(now - 1000 * (1 + Math.floor(random() * 20))),
      direction: outbound ? 'outbound' : 'inbound',
      account: conversation.account,
      conversation: { id: conversation.id, type: 'direct', title: null },
      from: outbound ? conversation.account : conversation.counterpart,
      to: [outbound ? conversation.counterpart : conversation.account],
      text: pick(TEXTS),
      attachments: [],
    });
    captured += 1;
    options.onCapture?.(item);
    return item;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      captureNow();
      schedule();
    }, options.intervalMs * (0.5 + random()));
    // The helper never keeps a process alive on its own; the simulator's server does that.
    timer.unref();
  };
  schedule();

  return {
    captureNow,
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
    get captured() {
      return captured;
    },
  };
}

function directConversations(items: readonly TeleMessageItem[], product: TeleMessageProduct): DirectConversation[] {
  const byId = new Map<string, DirectConversation>();
  for (const item of items) {
    if (item.conversation?.type !== 'direct' || byId.has(item.conversation.id) || item.account === undefined) continue;
    const participants = [item.from, ...(Array.isArray(item.to) ? item.to : [])];
    const counterpart = participants.find((p) => p !== undefined && !sameParticipant(p, item.account));
    if (counterpart === undefined || !reachable(item.account, product) || !reachable(counterpart, product)) continue;
    byId.set(item.conversation.id, { id: item.conversation.id, account: item.account, counterpart });
  }
  return [...byId.values()];
}

/** A participant a new message can be addressed to on this product. */
function reachable(participant: Participant, product: TeleMessageProduct): boolean {
  return product === 'att-network'
    ? typeof participant.phone === 'string'
    : typeof participant.wechatId === 'string' || typeof participant.wecomUserId === 'string';
}

function sameParticipant(a: Participant, b: Participant): boolean {
  return (
    (a.phone !== undefined && a.phone === b.phone) ||
    (a.email !== undefined && a.email === b.email) ||
    (a.wechatId !== undefined && a.wechatId === b.wechatId) ||
    (a.wecomUserId !== undefined && a.wecomUserId === b.wecomUserId)
  );
}
