import { AppSettings } from '../platform/settings/app-settings';
import { CLIENT_PRINCIPAL_HEADER, encodeClientPrincipal, InvalidClientPrincipalError, parseClientPrincipal, type Principal } from './principal';

type Env = Readonly<Record<string, string | undefined>>;

/** The app setting that turns the local sign-in on; only outside Azure, never set by infra/. */
export const LOCAL_SIGNIN_SETTING = AppSettings.adminWebLocalSignIn;
/** The cookie the local sign-in sets: the same base64 JSON App Service puts in its header. */
export const LOCAL_PRINCIPAL_COOKIE = 'admin-local-principal';

/** Settings App Service sets on every site: their presence means the app runs in Azure. */
const AZURE_MARKERS = ['WEBSITE_INSTANCE_ID', 'WEBSITE_SITE_NAME'] as const;

/** Where the app runs decides whom it believes. */
export interface SignInMode {
  readonly inAzure: boolean;
  /** App Service Authentication is on: its header is trusted. */
  readonly appService: boolean;
  /** The local stand-in is on (never in Azure): its cookie and the header are trusted. */
  readonly localSignIn: boolean;
}

export function signInMode(env: Env): SignInMode {
  const inAzure = AZURE_MARKERS.some((name) => (env[name] ?? '').trim() !== '');
  // App Service sets WEBSITE_AUTH_ENABLED=True when its authentication module runs in front of the app.
  const appService = inAzure && (env['WEBSITE_AUTH_ENABLED'] ?? '').trim().toLowerCase() === 'true';
  const localSignIn = !inAzure && isOn(env[LOCAL_SIGNIN_SETTING]);
  return { inAzure, appService, localSignIn };
}

/** Why the local sign-in cannot be used here, or undefined when it can. */
export function localSignInRefusal(env: Env): string | undefined {
  const mode = signInMode(env);
  if (mode.inAzure) {
    return `the local sign-in is refused in Azure (${AZURE_MARKERS.filter((n) => (env[n] ?? '').trim() !== '').join(', ')} set); sign in through App Service Authentication`;
  }
  if (!mode.localSignIn) return `the local sign-in is off; set ${LOCAL_SIGNIN_SETTING}=on in local.settings.json (local development only)`;
  return undefined;
}

/**
 * The signed-in principal of a request, or undefined when nobody trusted is signed in. A header
 * or cookie that cannot be read counts as nobody.
 */
export function resolvePrincipal(request: { header(name: string): string | undefined; cookie(name: string): string | undefined }, env: Env): Principal | undefined {
  const mode = signInMode(env);
  const header = request.header(CLIENT_PRINCIPAL_HEADER);
  try {
    if (header !== undefined && (mode.appService || mode.localSignIn)) return parseClientPrincipal(header, mode.appService ? 'app-service' : 'local-signin');
    const cookie = request.cookie(LOCAL_PRINCIPAL_COOKIE);
    if (cookie !== undefined && mode.localSignIn) return parseClientPrincipal(cookie, 'local-signin');
  } catch (error) {
    if (error instanceof InvalidClientPrincipalError) return undefined;
    throw error;
  }
  return undefined;
}

/** The cookie value of a local sign-in as `name` with `roles`. */
export function localPrincipalCookieValue(name: string, roles: readonly string[]): string {
  return encodeClientPrincipal({ id: `local:${name}`, name, roles });
}

function isOn(value: string | undefined): boolean {
  return ['on', 'true', '1', 'yes'].includes((value ?? '').trim().toLowerCase());
}
