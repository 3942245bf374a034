import { createHash } from 'node:crypto';

/**
 * Raw archived items as the TeleMessage API returns them (plain JSON objects, not yet parsed), for
 * the conversion tests. Each builder returns a fresh object that a test may mutate.
 */
export type RawItem = Record<string, unknown>;

export function sha256Of(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export const ANA = { phone: '+12025550143', email: 'ana.diaz@contoso.com', displayName: 'Ana Diaz' };
export const ANA_ACCOUNT = { phone: '+12025550143', email: 'ana.diaz@contoso.com' };
export const BEN = { phone: '+13105550199', displayName: 'Ben Ng' };

export function smsItem(overrides: RawItem = {}): RawItem {
  return {
    id: 'tm-sms-0001',
    product: 'att-network',
    kind: 'sms',
    archivedAt: '2026-11-20T14:03:07Z',
    sentAt: '2026-11-20T14:02:55Z',
    direction: 'outbound',
    account: { ...ANA_ACCOUNT },
    conversation: { id: 'c-1901', type: 'direct', title: null },
    from: { ...ANA },
    to: [{ ...BEN }],
    text: 'Running 10 min late',
    attachments: [],
    ...overrides,
  };
}

export function attachment(id: string, fileName: string, contentType: string, size: number): RawItem {
  return { id, fileName, contentType, size, sha256: sha256Of(id) };
}

/** Ten people: the archived account (Ana) and nine others, each with a phone number. */
export function groupOfTen(): RawItem[] {
  const others = ['Zoe Park', 'Chen Li', 'Björn Ek', 'Dana Cruz', 'Eli Ross', 'Fay Wong', 'Gus Hill', 'Hana Sato', 'Ivan Petrov'];
  return others.map((displayName, index) => ({ phone: `+1310555${String(1000 + index).padStart(4, '0')}`, displayName }));
}

export function groupMmsItem(overrides: RawItem = {}): RawItem {
  return smsItem({
    id: 'tm-mms-0002',
    kind: 'mms',
    conversation: { id: 'c-group-10', type: 'group', title: null },
    to: groupOfTen(),
    text: 'Photos from the site visit',
    attachments: [attachment('att-0042', 'IMG_0042.jpg', 'image/jpeg', 482113)],
    ...overrides,
  });
}

export const WANG_WEI = { wechatId: 'wxid_wangwei88', displayName: '王伟' };
export const LI_NA_ACCOUNT = { wechatId: 'wxid_lina_cn', email: 'li.na@contoso.com' };
export const LI_NA = { wechatId: 'wxid_lina_cn', email: 'li.na@contoso.com', displayName: '李娜' };

export function wechatItem(kind: string, overrides: RawItem = {}): RawItem {
  return {
    id: `wx-${kind}-0001`,
    product: 'wechat',
    kind,
    archivedAt: '2026-11-20T14:20:00Z',
    sentAt: '2026-11-20T14:05:00Z',
    direction: 'inbound',
    account: { ...LI_NA_ACCOUNT },
    conversation: { id: 'wxc-direct-77', type: 'direct', title: null },
    from: { ...WANG_WEI },
    to: [{ ...LI_NA }],
    text: '你好 👋 see you at 3pm',
    attachments: [],
    ...overrides,
  };
}

/** Forty people in one WeChat group: the archived account (李娜), 王伟 and 38 others. */
export function wechatGroupOfForty(): RawItem[] {
  const members: RawItem[] = [{ ...LI_NA }, { ...WANG_WEI }];
  for (let index = 1; index <= 38; index += 1) {
    members.push({ wechatId: `wxid_member${String(index).padStart(2, '0')}`, displayName: `成员${index}号` });
  }
  return members;
}

/** Extracts the message text block of a rendered body and reads it back to plain text. */
export function bodyTextOf(html: string): string | undefined {
  const match = /<div dir="auto" style="[^"]*">([\s\S]*?)<\/div>/.exec(html);
  if (match === null) {
    return undefined;
  }
  return match[1]
    .replace(/<br>/g, '\n')
    .replace(/&nbsp;/g, ' ')
    .replace(/&emsp;/g, '\t')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The plain-text values of one row of the facts table, read back from the HTML. */
export function factValues(html: string, label: string): string[] | undefined {
  const rows = html.split('\n').filter((line) => line.startsWith('<tr>'));
  for (const row of rows) {
    const cells = /<th[^>]*>([\s\S]*?)<\/th><td[^>]*>([\s\S]*?)<\/td><\/tr>/.exec(row);
    if (cells !== null && unescape(cells[1]) === label) {
      return cells[2].split('<br>').map((value) => unescape(value.replace(/<\/?bdi>/g, '')));
    }
  }
  return undefined;
}

function unescape(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

const RENDERER_ELEMENTS = new Set(['html', 'head', 'meta', 'body', 'p', 'div', 'hr', 'table', 'tr', 'th', 'td', 'bdi', 'br', 'img']);
const RENDERER_ATTRIBUTES = new Set(['http-equiv', 'content', 'style', 'dir', 'cellspacing', 'cellpadding']);
/** The only attributes an image may have; its source is only ever one of the message's own attachments. */
const IMAGE_ATTRIBUTES = new Set(['src', 'alt', 'style']);
const OWN_ATTACHMENT_SOURCE = /^cid:[0-9a-f]{32}@telemessage\.invalid$/;
const TAG = /^<\/?([a-z]+)((?:\s+[a-z-]+="[^"<>]*")*)>/;

/**
 * Everything in a rendered body that the renderer itself would not write: any `<` that does not
 * open one of its own elements, any other element or attribute, any reference to something
 * outside the message (an image may only show an attachment of the message, by `cid:`). Empty
 * for a body in which no message content became markup.
 */
export function foreignMarkup(html: string): string[] {
  const problems: string[] = [];
  for (let at = html.indexOf('<'); at >= 0; at = html.indexOf('<', at + 1)) {
    const tag = TAG.exec(html.slice(at, at + 400));
    if (tag === null) {
      problems.push(`unexpected "<" at ${at}: ${html.slice(at, at + 40)}`);
      continue;
    }
    if (!RENDERER_ELEMENTS.has(tag[1])) {
      problems.push(`element <${tag[1]}>`);
    }
    const allowed = tag[1] === 'img' ? IMAGE_ATTRIBUTES : RENDERER_ATTRIBUTES;
    const attributes = new Map<string, string>();
    for (const [, name, value] of tag[2].matchAll(/([a-z-]+)="([^"]*)"/g)) {
      attributes.set(name, value);
      if (!allowed.has(name)) {
        problems.push(`attribute ${name} on <${tag[1]}>`);
      }
      if (/url\(|:\/\/|javascript:|expression\(/i.test(value)) {
        problems.push(`external reference in ${name} on <${tag[1]}>`);
      }
    }
    if (tag[1] === 'img' && !OWN_ATTACHMENT_SOURCE.test(attributes.get('src') ?? '')) {
      problems.push(`<img> whose source is not one of the message's attachments: ${attributes.get('src') ?? '(none)'}`);
    }
  }
  return problems;
}

/** The sources and alt texts (unescaped) of the images a rendered body shows, in order. */
export function bodyImages(html: string): { src: string; alt: string | undefined }[] {
  return [...html.matchAll(/<img\b([^>]*)>/g)].map(([, attributes]) => {
    const alt = /\salt="([^"]*)"/.exec(attributes)?.[1];
    return { src: /\ssrc="([^"]*)"/.exec(attributes)?.[1] ?? '', alt: alt === undefined ? undefined : unescape(alt) };
  });
}
