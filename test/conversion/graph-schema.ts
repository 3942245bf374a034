import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Checks a message create body against the Graph v1.0 schema extract (mail-schema.json): every
 * key, at every depth, must be a property the type declares, and on message one that Graph
 * accepts on create. Prefers the Graph simulator's copy of the schema, so conversion and simulator
 * agree; falls back to the design notes' copy.
 */

interface EntityType {
  baseType: string | null;
  properties: Record<string, string>;
  navigationProperties: Record<string, string>;
}

export interface MailSchema {
  entityTypes: Record<string, EntityType>;
  complexTypes: Record<string, { properties: Record<string, string> }>;
  enumTypes: Record<string, string[]>;
  notes: string[];
}

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

export const SCHEMA_CANDIDATES = [
  path.join(PROJECT_ROOT, 'dev', 'simulators', 'graph', 'mail-schema.json'),
  // The design notes sit beside the checkout: /work/shared next to /work/main.
  path.join(PROJECT_ROOT, '..', 'shared', 'graph', 'mail-schema.json'),
];

export function loadMailSchema(): { schema: MailSchema; file: string } {
  const file = SCHEMA_CANDIDATES.find((candidate) => existsSync(candidate));
  if (file === undefined) {
    throw new Error(`mail-schema.json not found; looked in ${SCHEMA_CANDIDATES.join(', ')}`);
  }
  return { schema: JSON.parse(readFileSync(file, 'utf8')) as MailSchema, file };
}

/**
 * Message properties Graph refuses on create: the server-computed ones the schema's notes list,
 * and the two times the Graph notes say cannot be set (they go in extended properties instead).
 */
export function messagePropertiesNotWritable(schema: MailSchema): Set<string> {
  const note = schema.notes.find((text) => text.startsWith('Server-computed on message'));
  if (note === undefined) {
    throw new Error('mail-schema.json no longer lists the server-computed message properties in its notes');
  }
  const list = note.slice(note.indexOf(':') + 1).replace(/\.\s*$/, '');
  return new Set([...list.split(',').map((name) => name.trim()), 'receivedDateTime', 'sentDateTime']);
}

/** Every way `body` departs from what Graph accepts for a new message; empty when it conforms. */
export function messageCreateBodyViolations(schema: MailSchema, body: unknown): string[] {
  const violations: string[] = [];
  const notWritable = messagePropertiesNotWritable(schema);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return ['$: a message must be a JSON object'];
  }
  for (const key of Object.keys(body)) {
    if (notWritable.has(key)) {
      violations.push(`${key}: not writable on create`);
    }
  }
  checkValue(schema, 'graph.message', body, '$', violations);
  return violations;
}

function checkValue(schema: MailSchema, type: string, value: unknown, at: string, violations: string[]): void {
  const collection = /^Collection\((.+)\)$/.exec(type);
  if (collection !== null) {
    if (!Array.isArray(value)) {
      violations.push(`${at}: expected an array for ${type}`);
      return;
    }
    value.forEach((element, index) => checkValue(schema, collection[1], element, `${at}[${index}]`, violations));
    return;
  }
  switch (type) {
    case 'Edm.String':
      if (typeof value !== 'string') {
        violations.push(`${at}: expected a string`);
      }
      return;
    case 'Edm.Boolean':
      if (typeof value !== 'boolean') {
        violations.push(`${at}: expected a boolean`);
      }
      return;
    case 'Edm.Int32':
    case 'Edm.Int64':
      if (!Number.isSafeInteger(value)) {
        violations.push(`${at}: expected an integer`);
      }
      return;
    case 'Edm.DateTimeOffset':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        violations.push(`${at}: expected a date-time`);
      }
      return;
    case 'Edm.Binary':
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
        violations.push(`${at}: expected base64`);
      }
      return;
  }
  const name = type.replace(/^graph\./, '');
  const members = schema.enumTypes[name];
  if (members !== undefined) {
    if (typeof value !== 'string' || !members.includes(value)) {
      violations.push(`${at}: ${JSON.stringify(value)} is not one of ${name} (${members.join(', ')})`);
    }
    return;
  }
  const declared = declaredProperties(schema, name);
  if (declared === undefined) {
    violations.push(`${at}: type ${type} is not in the schema`);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    violations.push(`${at}: expected an object of type ${type}`);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const childType = declared[key];
    if (childType === undefined) {
      violations.push(`${at}.${key}: ${name} declares no such property`);
      continue;
    }
    checkValue(schema, childType, child, `${at}.${key}`, violations);
  }
}

/** Properties and navigation properties of a type, including those of its base types. */
function declaredProperties(schema: MailSchema, name: string): Record<string, string> | undefined {
  const complex = schema.complexTypes[name];
  if (complex !== undefined) {
    return complex.properties;
  }
  let entity: EntityType | undefined = schema.entityTypes[name];
  if (entity === undefined) {
    return undefined;
  }
  const declared: Record<string, string> = {};
  while (entity !== undefined) {
    Object.assign(declared, entity.properties, entity.navigationProperties);
    entity = entity.baseType === null ? undefined : schema.entityTypes[entity.baseType.replace(/^graph\./, '')];
  }
  return declared;
}
