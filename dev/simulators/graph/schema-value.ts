import { GraphError, invalidProperty, invalidValue } from './graph-error';
import { describeJsonType, isJsonObject, type JsonObject, type JsonValue } from './json-value';
import type { MailSchema, TypeRef } from './mail-schema';

const ISO_DATE_TIME_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;
/**
 * Padded base64: whole groups of four, at most two `=` at the end. The length is checked apart
 * because a group-per-iteration pattern took ~50 ms per 250 kB attachment (a second of an
 * end-to-end test's CPU) and overflowed the regular-expression stack on a few megabytes.
 */
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;

export function isBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64_CHARACTERS.test(text);
}

export function isDateTimeOffset(text: string): boolean {
  return ISO_DATE_TIME_OFFSET.test(text) && !Number.isNaN(Date.parse(text));
}

/**
 * Checks one JSON value against a CSDL type and returns it normalised (enum members in their
 * declared spelling, since Graph matches them case-insensitively). `path` names the value in
 * errors, e.g. `toRecipients[0].emailAddress.address`.
 */
export function checkValue(schema: MailSchema, value: unknown, type: TypeRef, path: string): JsonValue {
  if (type.collection) {
    if (!Array.isArray(value)) throw invalidValue(path, `expected an array, found ${describeJsonType(value)}`);
    return value.map((element, i) => checkSingle(schema, element, type, `${path}[${i}]`));
  }
  return checkSingle(schema, value, type, path);
}

function checkSingle(schema: MailSchema, value: unknown, type: TypeRef, path: string): JsonValue {
  if (value === null) return null;
  if (type.namespace === 'Edm') return checkPrimitive(value, type.name, path);
  const members = schema.enumMembers(type.name);
  if (members !== undefined) {
    if (typeof value !== 'string') throw invalidValue(path, `expected a string, found ${describeJsonType(value)}`);
    const member = members.find((m) => m.toLowerCase() === value.toLowerCase());
    if (member === undefined) {
      throw invalidValue(path, `'${value}' is not a member of graph.${type.name} (${members.join(', ')})`);
    }
    return member;
  }
  const properties = schema.complexProperties(type.name);
  if (properties !== undefined) return checkComplex(schema, value, type.name, properties, path);
  throw new GraphError(400, 'ErrorInvalidProperty', `'${path}' of type graph.${type.name} cannot be written here.`);
}

function checkComplex(
  schema: MailSchema,
  value: unknown,
  typeName: string,
  properties: ReadonlyMap<string, TypeRef>,
  path: string,
): JsonObject {
  if (!isJsonObject(value)) throw invalidValue(path, `expected an object, found ${describeJsonType(value)}`);
  const result: JsonObject = {};
  for (const [key, member] of Object.entries(value)) {
    if (key === '@odata.type') {
      checkODataType(member, typeName, `${path}.${key}`);
      continue;
    }
    const memberType = properties.get(key);
    if (memberType === undefined) {
      throw invalidProperty(`${path}.${key}`, `does not exist on type 'microsoft.graph.${typeName}'`);
    }
    result[key] = checkValue(schema, member, memberType, `${path}.${key}`);
  }
  return result;
}

function checkPrimitive(value: unknown, edm: string, path: string): JsonValue {
  const expect = (ok: boolean, what: string): void => {
    if (!ok) throw invalidValue(path, `expected ${what}, found ${describeJsonType(value)}`);
  };
  switch (edm) {
    case 'String':
      expect(typeof value === 'string', 'a string');
      return value as string;
    case 'Boolean':
      expect(typeof value === 'boolean', 'true or false');
      return value as boolean;
    case 'Int32':
      expect(typeof value === 'number', 'an integer');
      if (!Number.isInteger(value) || (value as number) < -(2 ** 31) || (value as number) >= 2 ** 31) {
        throw invalidValue(path, `${String(value)} is not a 32-bit integer`);
      }
      return value as number;
    case 'Int64':
      expect(typeof value === 'number', 'an integer');
      if (!Number.isSafeInteger(value)) throw invalidValue(path, `${String(value)} is not an integer`);
      return value as number;
    case 'DateTimeOffset':
      expect(typeof value === 'string', 'an ISO 8601 date-time string');
      if (!isDateTimeOffset(value as string)) {
        throw invalidValue(path, 'expected an ISO 8601 date and time with an offset, e.g. 2024-05-01T10:00:00Z');
      }
      return value as string;
    case 'Binary':
      expect(typeof value === 'string', 'a base64 string');
      if (!isBase64(value as string)) throw invalidValue(path, 'expected base64 (RFC 4648, padded)');
      return value as string;
    default:
      throw new Error(`mail schema: primitive Edm.${edm} is not supported by the simulator (${path})`);
  }
}

/** `@odata.type` may repeat the declared type, in either OData spelling. */
export function checkODataType(value: unknown, typeName: string, path: string): void {
  const expected = `#microsoft.graph.${typeName}`;
  if (typeof value !== 'string' || (value !== expected && value !== expected.slice(1))) {
    throw invalidValue(path, `expected '${expected}'`);
  }
}
