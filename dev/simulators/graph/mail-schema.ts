import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isJsonObject } from './json-value';

/** A property type as the CSDL writes it: `Edm.String`, `graph.recipient`, `Collection(graph.recipient)`. */
export interface TypeRef {
  collection: boolean;
  namespace: 'Edm' | 'graph';
  /** The type name without its namespace, e.g. `String`, `recipient`. */
  name: string;
}

export interface EntityTypeInfo {
  baseType: string | null;
  properties: ReadonlyMap<string, TypeRef>;
  navigationProperties: ReadonlyMap<string, TypeRef>;
}

const SCHEMA_FILE = path.join('dev', 'simulators', 'graph', 'mail-schema.json');
const SERVER_COMPUTED_NOTE = 'Server-computed on message, never accepted on create:';

/**
 * The Graph v1.0 types mailbox import touches, read from `mail-schema.json` (an extract of
 * Microsoft's CSDL). The file is data kept beside this module; it is located from the project
 * root so that compiled code under `dist/` reads the same file.
 */
export class MailSchema {
  readonly #entities: Map<string, EntityTypeInfo>;
  readonly #complex: Map<string, ReadonlyMap<string, TypeRef>>;
  readonly #enums: Map<string, readonly string[]>;
  /** Message properties that only the server sets (from the schema's notes). */
  readonly serverComputedMessageProperties: ReadonlySet<string>;

  private constructor(document: unknown, source: string) {
    if (!isJsonObject(document)) throw new Error(`${source}: expected a JSON object`);
    const entityTypes = objectMember(document, 'entityTypes', source);
    const complexTypes = objectMember(document, 'complexTypes', source);
    const enumTypes = objectMember(document, 'enumTypes', source);

    this.#entities = new Map();
    for (const [name, raw] of Object.entries(entityTypes)) {
      const where = `${source} entityTypes.${name}`;
      if (!isJsonObject(raw)) throw new Error(`${where}: expected an object`);
      const baseType = raw.baseType;
      if (baseType !== null && typeof baseType !== 'string') throw new Error(`${where}.baseType: expected a string or null`);
      this.#entities.set(name, {
        baseType: baseType === null ? null : stripNamespace(baseType),
        properties: typeMap(objectMember(raw, 'properties', where), `${where}.properties`),
        navigationProperties: typeMap(objectMember(raw, 'navigationProperties', where), `${where}.navigationProperties`),
      });
    }
    this.#complex = new Map();
    for (const [name, raw] of Object.entries(complexTypes)) {
      const where = `${source} complexTypes.${name}`;
      if (!isJsonObject(raw)) throw new Error(`${where}: expected an object`);
      this.#complex.set(name, typeMap(objectMember(raw, 'properties', where), `${where}.properties`));
    }
    this.#enums = new Map();
    for (const [name, members] of Object.entries(enumTypes)) {
      if (!Array.isArray(members) || !members.every((m) => typeof m === 'string')) {
        throw new Error(`${source} enumTypes.${name}: expected an array of strings`);
      }
      this.#enums.set(name, members as string[]);
    }
    this.serverComputedMessageProperties = this.#readServerComputed(document.notes, source);
    this.#checkReferences(source);
  }

  /** Loads the schema file once per process. */
  static load(): MailSchema {
    if (cached === undefined) {
      const file = locateSchemaFile();
      cached = new MailSchema(JSON.parse(readFileSync(file, 'utf8')), file);
    }
    return cached;
  }

  /** Structural properties of an entity type, its base types' included. */
  entityProperties(name: string): Map<string, TypeRef> {
    return this.#collect(name, (info) => info.properties);
  }

  /** Navigation properties of an entity type, its base types' included. */
  entityNavigationProperties(name: string): Map<string, TypeRef> {
    return this.#collect(name, (info) => info.navigationProperties);
  }

  complexProperties(name: string): ReadonlyMap<string, TypeRef> | undefined {
    return this.#complex.get(name);
  }

  enumMembers(name: string): readonly string[] | undefined {
    return this.#enums.get(name);
  }

  #collect(name: string, pick: (info: EntityTypeInfo) => ReadonlyMap<string, TypeRef>): Map<string, TypeRef> {
    const chain: EntityTypeInfo[] = [];
    for (let current: string | null = name; current !== null; ) {
      const info = this.#entities.get(current);
      if (info === undefined) throw new Error(`mail schema: unknown entity type '${current}'`);
      chain.unshift(info);
      current = info.baseType;
    }
    const result = new Map<string, TypeRef>();
    for (const info of chain) for (const [property, type] of pick(info)) result.set(property, type);
    return result;
  }

  #readServerComputed(notes: unknown, source: string): ReadonlySet<string> {
    const note = Array.isArray(notes)
      ? notes.find((n): n is string => typeof n === 'string' && n.startsWith(SERVER_COMPUTED_NOTE))
      : undefined;
    if (note === undefined) throw new Error(`${source}: notes lack "${SERVER_COMPUTED_NOTE} …"`);
    const names = note
      .slice(SERVER_COMPUTED_NOTE.length)
      .replace(/\.\s*$/, '')
      .split(',')
      .map((n) => n.trim());
    const declared = this.entityProperties('message');
    for (const property of names) {
      if (!declared.has(property)) throw new Error(`${source}: server-computed '${property}' is not a message property`);
    }
    return new Set(names);
  }

  #checkReferences(source: string): void {
    const check = (type: TypeRef, where: string): void => {
      if (type.namespace === 'Edm') return;
      if (!this.#entities.has(type.name) && !this.#complex.has(type.name) && !this.#enums.has(type.name)) {
        // Navigation targets the import never writes (extensions, rules) are not described.
        if (!where.includes('navigationProperties')) throw new Error(`${source} ${where}: unknown type graph.${type.name}`);
      }
    };
    for (const [name, info] of this.#entities) {
      for (const [p, t] of info.properties) check(t, `entityTypes.${name}.properties.${p}`);
      for (const [p, t] of info.navigationProperties) check(t, `entityTypes.${name}.navigationProperties.${p}`);
    }
    for (const [name, properties] of this.#complex) {
      for (const [p, t] of properties) check(t, `complexTypes.${name}.properties.${p}`);
    }
  }
}

let cached: MailSchema | undefined;

function locateSchemaFile(): string {
  // Walk up to the folder holding package.json: from dev/simulators/graph when run from source,
  // from dist/dev/simulators/graph when compiled.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) {
      const file = path.join(dir, SCHEMA_FILE);
      if (!existsSync(file)) throw new Error(`mail schema not found at ${file}`);
      return file;
    }
    if (path.dirname(dir) === dir) throw new Error(`mail schema: no package.json above ${__dirname}`);
  }
}

export function parseTypeRef(text: string): TypeRef {
  const collection = /^Collection\((.+)\)$/.exec(text);
  const inner = collection ? collection[1] : text;
  const dot = inner.indexOf('.');
  const namespace = inner.slice(0, dot);
  if (dot < 0 || (namespace !== 'Edm' && namespace !== 'graph')) throw new Error(`unsupported type '${text}'`);
  return { collection: collection !== null, namespace, name: inner.slice(dot + 1) };
}

function stripNamespace(name: string): string {
  return name.startsWith('graph.') ? name.slice('graph.'.length) : name;
}

function objectMember(owner: Record<string, unknown>, member: string, where: string): Record<string, unknown> {
  const value = owner[member];
  if (!isJsonObject(value)) throw new Error(`${where}.${member}: expected an object`);
  return value;
}

function typeMap(raw: Record<string, unknown>, where: string): Map<string, TypeRef> {
  const result = new Map<string, TypeRef>();
  for (const [name, type] of Object.entries(raw)) {
    if (typeof type !== 'string') throw new Error(`${where}.${name}: expected a type name`);
    try {
      result.set(name, parseTypeRef(type));
    } catch (error) {
      throw new Error(`${where}.${name}: ${(error as Error).message}`, { cause: error });
    }
  }
  return result;
}
