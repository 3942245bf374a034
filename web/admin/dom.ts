/**
 * Building the page's DOM. Every piece of data reaches the page as a text node or an attribute
 * value set through the DOM, never as markup: nothing the API returns is parsed as HTML.
 */

export type Child = Node | string | number | null | undefined | false;
export type AttributeValue = string | number | boolean | null | undefined;
export interface Attributes {
  [name: string]: AttributeValue | ((event: Event) => void);
}

function apply(element: Element, attributes: Attributes | undefined, children: readonly Child[]): void {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
  append(element, ...children);
}

/** An HTML element (native or a Fluent custom element): `h('fluent-button', { appearance: 'primary', onclick }, 'Save')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes?: Attributes, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attributes?: Attributes, ...children: Child[]): HTMLElement;
export function h(tag: string, attributes?: Attributes, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  apply(element, attributes, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element; attribute values set through the DOM like any other. */
export function svg(tag: string, attributes?: Attributes, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, attributes, children);
  return element as SVGElement;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Empties `parent` and puts `children` in. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** The value of a native or Fluent form control. */
export function valueOf(element: Element): string {
  return String((element as unknown as { value?: unknown }).value ?? '');
}

export function isChecked(element: Element): boolean {
  return (element as unknown as { checked?: unknown }).checked === true;
}

/** A table with a caption for screen readers, a header row and one row per record. */
export function table<T>(caption: string, columns: readonly { header: string; cell: (row: T) => Child; numeric?: boolean }[], rows: readonly T[], options: { empty?: string; id?: string } = {}): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty', ...(options.id === undefined ? {} : { id: options.id }) }, options.empty ?? 'Nothing to show.');
  return h(
    'div',
    { class: 'table-scroll', ...(options.id === undefined ? {} : { id: options.id }) },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : undefined }, c.header)))),
      h('tbody', {}, ...rows.map((row) => h('tr', {}, ...columns.map((c) => h('td', { class: c.numeric ? 'num' : undefined }, c.cell(row)))))),
    ),
  );
}

/** A Fluent message bar: intent `error`, `warning`, `success` or `info`; announced to screen readers. */
export function messageBar(intent: 'error' | 'warning' | 'success' | 'info', ...children: Child[]): HTMLElement {
  return h('fluent-message-bar', { intent, role: intent === 'error' ? 'alert' : 'status', layout: 'multiline' }, ...children);
}

/**
 * A Fluent field: the label (a real `<label for>`, so screen readers and clicks reach the control)
 * and the control, with an optional hint. Checkboxes and switches take the label after them.
 */
export function field(label: Child, control: HTMLElement, options: { hint?: Child; after?: boolean } = {}): HTMLElement {
  control.setAttribute('slot', 'input');
  const hintId = options.hint === undefined ? undefined : `${control.id}-hint`;
  if (hintId !== undefined) control.setAttribute('aria-describedby', hintId);
  return h(
    'fluent-field',
    { 'label-position': options.after === true ? 'after' : 'above' },
    h('label', { slot: 'label', for: control.id }, label),
    control,
    options.hint === undefined ? null : h('fluent-text', { slot: 'message', id: hintId, size: '200' }, options.hint),
  );
}
