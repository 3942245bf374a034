import { GraphError, badRequest, invalidProperty, invalidValue, readOnlyProperty } from './graph-error';
import { describeJsonType, isJsonObject, type JsonObject } from './json-value';
import type { MailSchema } from './mail-schema';
import { checkExtendedValue, parseMapiPropertyId, type MapiPropertyId } from './mapi-property-id';
import { checkODataType, checkValue } from './schema-value';

export interface ExtendedPropertyInput {
  id: string;
  parsedId: MapiPropertyId;
  value: string;
}

export interface MultiValueExtendedPropertyInput {
  id: string;
  value: string[];
}

export interface FileAttachmentInput {
  name: string;
  contentType: string;
  isInline: boolean;
  contentId: string | null;
  contentLocation: string | null;
  bytes: Buffer;
}

export interface MessageCreateInput {
  /** Writable structural properties as given (enums normalised); receivedDateTime/sentDateTime removed. */
  properties: JsonObject;
  singleValueExtendedProperties: ExtendedPropertyInput[];
  multiValueExtendedProperties: MultiValueExtendedPropertyInput[];
  attachments: FileAttachmentInput[];
}

export interface FolderCreateInput {
  displayName: string;
  isHidden: boolean;
}

export interface UploadSessionInput {
  name: string;
  size: number;
  contentType: string;
  isInline: boolean;
  contentId: string | null;
}

/** Set by the server at creation time; a value in the request is accepted and ignored, as Graph does. */
const CREATION_TIME_PROPERTIES = new Set(['receivedDateTime', 'sentDateTime']);

export function parseMessageCreate(schema: MailSchema, body: unknown): MessageCreateInput {
  const object = expectObject(body, 'message');
  const structural = schema.entityProperties('message');
  const navigation = schema.entityNavigationProperties('message');
  const result: MessageCreateInput = {
    properties: {},
    singleValueExtendedProperties: [],
    multiValueExtendedProperties: [],
    attachments: [],
  };
  for (const [key, value] of Object.entries(object)) {
    if (key === '@odata.type') {
      checkODataType(value, 'message', key);
      continue;
    }
    if (schema.serverComputedMessageProperties.has(key)) throw readOnlyProperty(key);
    const type = structural.get(key);
    if (type !== undefined) {
      const checked = checkValue(schema, value, type, key);
      if (key === 'internetMessageHeaders') checkInternetMessageHeaders(checked);
      if (!CREATION_TIME_PROPERTIES.has(key)) result.properties[key] = checked;
      continue;
    }
    switch (navigation.has(key) ? key : undefined) {
      case 'singleValueExtendedProperties':
        result.singleValueExtendedProperties = parseSingleValueExtendedProperties(value, key);
        continue;
      case 'multiValueExtendedProperties':
        result.multiValueExtendedProperties = parseMultiValueExtendedProperties(value, key);
        continue;
      case 'attachments':
        if (!Array.isArray(value)) throw invalidValue(key, `expected an array, found ${describeJsonType(value)}`);
        result.attachments = value.map((a, i) => parseFileAttachment(schema, a, `${key}[${i}]`));
        continue;
      case undefined:
        throw invalidProperty(key, "does not exist on type 'microsoft.graph.message'");
      default:
        throw new GraphError(400, 'ErrorInvalidProperty', `Navigation property '${key}' is not supported by the Graph simulator.`);
    }
  }
  return result;
}

function checkInternetMessageHeaders(headers: unknown): void {
  if (!Array.isArray(headers)) return;
  headers.forEach((header, i) => {
    if (!isJsonObject(header)) return;
    const name = header.name;
    if (typeof name !== 'string' || name === '') {
      throw invalidValue(`internetMessageHeaders[${i}].name`, 'a header needs a non-empty name');
    }
    if (!/^x-/i.test(name)) {
      throw new GraphError(
        400,
        'InvalidInternetMessageHeader',
        `The internet message header name '${name}' should start with 'x-' or 'X-' (internetMessageHeaders[${i}].name).`,
      );
    }
    if (typeof header.value !== 'string') {
      throw invalidValue(`internetMessageHeaders[${i}].value`, `expected a string, found ${describeJsonType(header.value)}`);
    }
  });
}

function parseSingleValueExtendedProperties(value: unknown, path: string): ExtendedPropertyInput[] {
  const seen = new Set<string>();
  return expectArray(value, path).map((element, i) => {
    const where = `${path}[${i}]`;
    const object = expectObject(element, where);
    rejectOtherKeys(object, ['id', 'value'], where, 'singleValueLegacyExtendedProperty');
    const id = expectString(object.id, `${where}.id`);
    const parsedId = parseMapiPropertyId(id, false);
    if (typeof parsedId === 'string') throw invalidValue(`${where}.id`, `'${id}' ${parsedId}`);
    const propertyValue = expectString(object.value, `${where}.value`);
    const cause = checkExtendedValue(parsedId.type, propertyValue);
    if (cause !== undefined) {
      throw new GraphError(400, 'ErrorInvalidExtendedPropertyValue', `Invalid value for '${where}.value' (${id}): ${cause}.`);
    }
    const key = id.toLowerCase();
    if (seen.has(key)) throw invalidValue(`${where}.id`, `'${id}' is given twice`);
    seen.add(key);
    return { id, parsedId, value: propertyValue };
  });
}

function parseMultiValueExtendedProperties(value: unknown, path: string): MultiValueExtendedPropertyInput[] {
  return expectArray(value, path).map((element, i) => {
    const where = `${path}[${i}]`;
    const object = expectObject(element, where);
    rejectOtherKeys(object, ['id', 'value'], where, 'multiValueLegacyExtendedProperty');
    const id = expectString(object.id, `${where}.id`);
    const parsedId = parseMapiPropertyId(id, true);
    if (typeof parsedId === 'string') throw invalidValue(`${where}.id`, `'${id}' ${parsedId}`);
    const values = expectArray(object.value, `${where}.value`).map((v, j) => expectString(v, `${where}.value[${j}]`));
    const elementType = parsedId.type.replace(/Array$/, '');
    values.forEach((v, j) => {
      const cause = checkExtendedValue(elementType, v);
      if (cause !== undefined) {
        throw new GraphError(400, 'ErrorInvalidExtendedPropertyValue', `Invalid value for '${where}.value[${j}]': ${cause}.`);
      }
    });
    return { id, value: values };
  });
}

const FILE_ATTACHMENT_TYPE = '#microsoft.graph.fileAttachment';

/** A small file attachment, as POSTed to `attachments` or nested in a message create. */
export function parseFileAttachment(schema: MailSchema, body: unknown, path = 'attachment'): FileAttachmentInput {
  const object = expectObject(body, path);
  const odataType = object['@odata.type'];
  if (typeof odataType !== 'string') {
    throw invalidValue(`${path}.@odata.type`, `required: '${FILE_ATTACHMENT_TYPE}'`);
  }
  if (odataType.replace(/^#/, '').toLowerCase() !== FILE_ATTACHMENT_TYPE.slice(1).toLowerCase()) {
    throw new GraphError(
      400,
      'ErrorInvalidRequest',
      `${path}.@odata.type '${odataType}': only file attachments are supported by the Graph simulator.`,
    );
  }
  const declared = schema.entityProperties('fileAttachment');
  const checked: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === '@odata.type') continue;
    if (key === 'id') throw readOnlyProperty(`${path}.id`);
    const type = declared.get(key);
    if (type === undefined) throw invalidProperty(`${path}.${key}`, "does not exist on type 'microsoft.graph.fileAttachment'");
    checked[key] = checkValue(schema, value, type, `${path}.${key}`);
  }
  const name = checked.name;
  if (typeof name !== 'string' || name === '') throw invalidValue(`${path}.name`, 'a file attachment needs a name');
  const contentBytes = checked.contentBytes;
  if (typeof contentBytes !== 'string') throw invalidValue(`${path}.contentBytes`, 'required (base64)');
  return {
    name,
    contentType: typeof checked.contentType === 'string' ? checked.contentType : 'application/octet-stream',
    isInline: checked.isInline === true,
    contentId: typeof checked.contentId === 'string' ? checked.contentId : null,
    contentLocation: typeof checked.contentLocation === 'string' ? checked.contentLocation : null,
    bytes: Buffer.from(contentBytes, 'base64'),
  };
}

const FOLDER_READ_ONLY = new Set(['id', 'parentFolderId', 'childFolderCount', 'totalItemCount', 'unreadItemCount']);

export function parseFolderCreate(schema: MailSchema, body: unknown): FolderCreateInput {
  const object = expectObject(body, 'mailFolder');
  const declared = schema.entityProperties('mailFolder');
  for (const [key, value] of Object.entries(object)) {
    if (key === '@odata.type') {
      checkODataType(value, 'mailFolder', key);
      continue;
    }
    if (FOLDER_READ_ONLY.has(key)) throw readOnlyProperty(key);
    const type = declared.get(key);
    if (type === undefined) throw invalidProperty(key, "does not exist on type 'microsoft.graph.mailFolder'");
    checkValue(schema, value, type, key);
  }
  const displayName = object.displayName;
  if (typeof displayName !== 'string' || displayName.trim() === '') {
    throw new GraphError(400, 'ErrorInvalidRequest', "A folder needs a non-empty 'displayName'.");
  }
  return { displayName, isHidden: object.isHidden === true };
}

export function parseUploadSessionRequest(schema: MailSchema, body: unknown): UploadSessionInput {
  const object = expectObject(body, 'createUploadSession');
  rejectOtherKeys(object, ['AttachmentItem'], 'createUploadSession', 'createUploadSession parameters');
  const itemType = { collection: false, namespace: 'graph' as const, name: 'attachmentItem' };
  if (object.AttachmentItem === undefined) throw badRequest("createUploadSession needs the parameter 'AttachmentItem'.");
  const item = checkValue(schema, object.AttachmentItem, itemType, 'AttachmentItem');
  if (!isJsonObject(item)) throw invalidValue('AttachmentItem', 'expected an object');
  if (item.attachmentType !== 'file') {
    throw new GraphError(400, 'ErrorInvalidRequest', "AttachmentItem.attachmentType: only 'file' is supported by the Graph simulator.");
  }
  if (typeof item.name !== 'string' || item.name === '') throw invalidValue('AttachmentItem.name', 'required');
  if (typeof item.size !== 'number' || item.size < 0) throw invalidValue('AttachmentItem.size', 'required (bytes)');
  return {
    name: item.name,
    size: item.size,
    contentType: typeof item.contentType === 'string' ? item.contentType : 'application/octet-stream',
    isInline: item.isInline === true,
    contentId: typeof item.contentId === 'string' ? item.contentId : null,
  };
}

function expectObject(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) throw invalidValue(path, `expected a JSON object, found ${describeJsonType(value)}`);
  return value;
}

function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalidValue(path, `expected an array, found ${describeJsonType(value)}`);
  return value;
}

function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalidValue(path, `expected a string, found ${describeJsonType(value)}`);
  return value;
}

function rejectOtherKeys(object: JsonObject, allowed: string[], path: string, typeName: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw invalidProperty(`${path}.${key}`, `does not exist on type '${typeName}'`);
  }
}
