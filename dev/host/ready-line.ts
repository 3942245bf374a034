/**
 * The line the CLI prints once the host serves requests; HostProcess (or any parent process)
 * waits for it and reads the port from it.
 */
const READY_LINE_PREFIX = 'Host ready: listening on ';

export function formatReadyLine(baseUrl: string): string {
  return `${READY_LINE_PREFIX}${baseUrl} (press Ctrl+C to stop)`;
}

/** The port announced by a ready line, or undefined for any other line. */
export function parseReadyLine(line: string): number | undefined {
  if (!line.startsWith(READY_LINE_PREFIX)) return undefined;
  const m = /^https?:\/\/[^\s/]+:(\d+)/.exec(line.slice(READY_LINE_PREFIX.length));
  return m ? Number(m[1]) : undefined;
}
