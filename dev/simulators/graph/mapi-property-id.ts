/**
 * The MAPI property syntax Graph uses for legacy extended property ids:
 * `{type} 0x{tag}`, `{type} {guid} Name {name}` or `{type} {guid} Id 0x{id}`.
 */
export interface MapiPropertyId {
  /** Canonical type name, e.g. `Integer`, `String`, `StringArray`. */
  type: string;
  /** The property tag, for a tagged property such as `Integer 0x0E07`. */
  tag?: number;
  /** The property set, lower case, for a named property. */
  propertySet?: string;
  name?: string;
  dispatchId?: number;
}

const SINGLE_VALUE_TYPES = [
  'ApplicationTime', 'Binary', 'Boolean', 'CLSID', 'Currency', 'Double', 'Float', 'Integer', 'Long', 'Object',
  'Short', 'String', 'SystemTime',
];
const MULTI_VALUE_TYPES = [
  'ApplicationTimeArray', 'BinaryArray', 'CLSIDArray', 'CurrencyArray', 'DoubleArray', 'FloatArray', 'IntegerArray',
  'LongArray', 'ShortArray', 'StringArray', 'SystemTimeArray',
];

const ID_SYNTAX =
  /^([A-Za-z]+) (?:0x([0-9A-Fa-f]{1,4})|\{([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\} (?:[Nn]ame (\S.*)|[Ii]d 0x([0-9A-Fa-f]{1,8})))$/;

/** PidTagMessageFlags: its unsent bit (MSGFLAG_UNSENT) makes an item a draft. */
export const PID_TAG_MESSAGE_FLAGS = 0x0e07;
export const MSGFLAG_UNSENT = 0x8;
export const MSGFLAG_READ = 0x1;

/** Parses an id; the error string says what is wrong, for a 400 message. */
export function parseMapiPropertyId(text: string, multiValue: boolean): MapiPropertyId | string {
  const match = ID_SYNTAX.exec(text);
  if (match === null) {
    return "is not in MAPI property syntax ('{type} 0x{tag}', '{type} {guid} Name {name}' or '{type} {guid} Id 0x{id}')";
  }
  const known = multiValue ? MULTI_VALUE_TYPES : SINGLE_VALUE_TYPES;
  const type = known.find((t) => t.toLowerCase() === match[1].toLowerCase());
  if (type === undefined) {
    return `has type '${match[1]}', which is not a ${multiValue ? 'multi' : 'single'}-value MAPI type (${known.join(', ')})`;
  }
  if (match[2] !== undefined) return { type, tag: Number.parseInt(match[2], 16) };
  const propertySet = match[3].toLowerCase();
  if (match[4] !== undefined) return { type, propertySet, name: match[4] };
  return { type, propertySet, dispatchId: Number.parseInt(match[5], 16) };
}

const INTEGER_RANGES: Record<string, [bigint, bigint]> = {
  Short: [-(2n ** 15n), 2n ** 15n - 1n],
  Integer: [-(2n ** 31n), 2n ** 31n - 1n],
  Long: [-(2n ** 63n), 2n ** 63n - 1n],
};
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;
const GUID = /^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Checks that a string value suits a single-value MAPI type; returns the cause when it does not. */
export function checkExtendedValue(type: string, value: string): string | undefined {
  const range = INTEGER_RANGES[type];
  if (range !== undefined) {
    if (!/^[+-]?\d+$/.test(value)) return `'${type}' needs a decimal integer`;
    const n = BigInt(value);
    return n < range[0] || n > range[1] ? `'${value}' is out of range for '${type}'` : undefined;
  }
  switch (type) {
    case 'Boolean':
      return /^(true|false)$/i.test(value) ? undefined : "'Boolean' needs 'true' or 'false'";
    case 'SystemTime':
    case 'ApplicationTime':
      return ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `'${type}' needs an ISO 8601 date and time with an offset, e.g. 2024-05-01T10:00:00Z`;
    case 'Double':
    case 'Float':
    case 'Currency':
      return DECIMAL.test(value) ? undefined : `'${type}' needs a number`;
    case 'CLSID':
      return GUID.test(value) ? undefined : "'CLSID' needs a GUID";
    case 'Binary':
      return BASE64.test(value) ? undefined : "'Binary' needs base64";
    default:
      return undefined;
  }
}

/** `Integer 0x0E07` in any spelling (0xe07, 0x0E07). */
export function isTaggedProperty(id: MapiPropertyId, type: string, tag: number): boolean {
  return id.type === type && id.tag === tag;
}
