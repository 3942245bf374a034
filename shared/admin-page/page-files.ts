import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { PAGE_CONTENT_SECURITY_POLICY, securityHeaders } from '../admin-web/web-security';

/** Where the page is served: `/api/<route>`; the Functions host reserves root routes starting with `admin`. */
export const ADMIN_PAGE_ROUTE = 'admin/ui/{*path}';
export const ADMIN_PAGE_PATH = '/api/admin/ui/';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

export interface PageFileAnswer {
  status: number;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/**
 * The admin page's static files (built by `npm run build` into dist/web/admin, and shipped in the
 * deployment package beside the bundle), each answered with the page's strict
 * Content-Security-Policy. Only the files found there are served, by exact name: a request path
 * is never joined onto the file system.
 */
export class AdminPageFiles {
  readonly #files: ReadonlyMap<string, string>;

  private constructor(files: ReadonlyMap<string, string>) {
    this.#files = files;
  }

  static async load(dir: string): Promise<AdminPageFiles> {
    const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && CONTENT_TYPES[path.extname(e.name)] !== undefined).map((e) => e.name);
    return new AdminPageFiles(new Map(names.map((name) => [name, path.join(dir, name)])));
  }

  /** `path` is the route's `{*path}`: empty for the page itself. */
  async answer(requestPath: string | undefined, options: { secure: boolean }): Promise<PageFileAnswer> {
    const name = requestPath === undefined || requestPath === '' ? 'index.html' : requestPath;
    const headers = { ...securityHeaders({ contentSecurityPolicy: PAGE_CONTENT_SECURITY_POLICY, secure: options.secure }), 'Cache-Control': 'no-cache' };
    const file = this.#files.get(name);
    if (file === undefined) return { status: 404, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from(`No page file ${name.slice(0, 100)}.\n`) };
    return { status: 200, headers: { ...headers, 'Content-Type': CONTENT_TYPES[path.extname(name)]! }, body: await readFile(file) };
  }
}

/**
 * The built page's folder: dist/web/admin beside the compiled shared/ (tsc's output), or web/admin
 * beside the bundle (the deployment package's dist/app.js).
 */
export function adminPageDir(moduleDir: string = __dirname): string {
  const candidates = [path.resolve(moduleDir, '../../web/admin'), path.resolve(moduleDir, 'web/admin')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
  if (found === undefined) throw new Error(`The admin page is not built: no index.html in ${candidates.join(' or ')} (npm run build)`);
  return found;
}

let loaded: Promise<AdminPageFiles> | undefined;

/** The page's files, read from disk once per process. */
export function adminPageFiles(): Promise<AdminPageFiles> {
  loaded ??= AdminPageFiles.load(adminPageDir()).catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}
