import type { MappingFileReport } from '../mapping/mapping-file';

/**
 * Errors of the administration operations. Each message is one sentence an administrator can act
 * on; none ever holds a password or a token.
 */
export abstract class AdminError extends Error {}

/** A value given to an operation is not acceptable; `field` names it as the command line does. */
export class InvalidAdminInputError extends AdminError {
  override readonly name = 'InvalidAdminInputError';

  constructor(readonly field: string, reason: string) {
    super(`${field}: ${reason}`);
  }
}

/** TeleMessage refused the connector's credentials, or could not be asked. */
export class TeleMessageCheckError extends AdminError {
  override readonly name = 'TeleMessageCheckError';

  constructor(
    message: string,
    /** 'rejected' when TeleMessage refused the credentials; 'unreachable' when it gave no usable answer. */
    readonly reason: 'rejected' | 'unreachable',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The connector is not in a state that allows the operation (enable without any mapping, run while disabled). */
export class ConnectorStateError extends AdminError {
  override readonly name = 'ConnectorStateError';

  constructor(readonly connectorId: string, message: string) {
    super(message);
  }
}

/** A mapping file with errors was not applied; the mapping in force stays in force. */
export class MappingFileRejectedError extends AdminError {
  override readonly name = 'MappingFileRejectedError';

  constructor(readonly connectorId: string, readonly report: MappingFileReport) {
    super(
      `The mapping file was not applied to connector "${connectorId}": it has ${report.stats.errors} error${report.stats.errors === 1 ? '' : 's'}` +
        `${report.stats.errors === 0 ? ' (it was refused as a whole)' : ''}; the mapping in force stays in force.`,
    );
  }
}

/** Someone else applied a mapping file to the same connector while this one was being applied. */
export class MappingFileConflictError extends AdminError {
  override readonly name = 'MappingFileConflictError';

  constructor(readonly connectorId: string) {
    super(`Another mapping file was applied to connector "${connectorId}" at the same time; check "mapping show" and apply again if needed.`);
  }
}

/** The directory could not answer while a mapping file was being checked. */
export class DirectoryUnavailableError extends AdminError {
  override readonly name = 'DirectoryUnavailableError';

  constructor(cause: unknown) {
    super(`The directory (Microsoft Graph) could not be asked about the mapped addresses: ${describeError(cause)}`, { cause });
  }
}

/** A secret could not be stored. */
export class SecretWriteError extends AdminError {
  override readonly name = 'SecretWriteError';

  constructor(readonly secretName: string, where: string, cause: unknown) {
    super(`The secret "${secretName}" could not be stored in ${where}: ${describeError(cause)}`, { cause });
  }
}

/**
 * The first line of an error's message; never the error's properties, which may hold requests.
 * A storage error is told by its status, its error code and the first line of the service's own
 * message (its XML body when the SDK passed that on), never by the XML prolog.
 */
export function describeError(error: unknown): string {
  const storage = describeStorageError(error);
  if (storage !== undefined) return storage;
  const text = error instanceof Error ? error.message : String(error);
  return firstLine(text) || (error instanceof Error ? error.name : 'unknown error');
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0]?.trim() ?? '';
}

function describeStorageError(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'RestError') return undefined;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  const xmlMessage = /<Message>([\s\S]*?)<\/Message>/.exec(error.message)?.[1];
  const message = firstLine(xmlMessage ?? (/^\s*</.test(error.message) ? '' : error.message));
  const xmlCode = /<Code>([^<]*)<\/Code>/.exec(error.message)?.[1];
  const errorCode = typeof code === 'string' && code !== '' ? code : xmlCode;
  const parts = [
    `Storage answered ${typeof statusCode === 'number' ? statusCode : 'without a status'}${errorCode === undefined ? '' : ` ${errorCode}`}`,
    ...(message === '' || message === errorCode ? [] : [message]),
  ];
  return parts.join(': ');
}
