import { ApiError, type ConnectorOverview, type MappingReport, type ProductChoice } from '../api';
import { field, h, isChecked, messageBar, replace, table, valueOf, type Child } from '../dom';
import { changeButton, errorBar, heading, READ_ONLY_HINT, type PageContext } from '../context';
import { daysAgo } from '../format';

const STEPS = ['Product', 'Terms', 'TeleMessage sign-in', 'User mapping', 'Schedule and back-fill', 'Review'] as const;

/** What the administrator has chosen so far; the password stays in memory only until Finish. */
interface Draft {
  product?: ProductChoice;
  id: string;
  folderName: string;
  accepted: boolean;
  baseUrl: string;
  username: string;
  password: string;
  passwordSecretName: string;
  /** The sign-in TeleMessage accepted, as checked; changing a field clears it. */
  checked?: string;
  autoMapping: boolean;
  file?: File;
  report?: MappingReport;
  region: string;
  startFrom: string;
  enabled: boolean;
}

function signInKey(d: Draft): string {
  return JSON.stringify([d.baseUrl, d.username, d.password]);
}

/** A preview of a mapping file as the API checked it: rows, mapped users, problems by line. */
export function mappingPreview(report: MappingReport): HTMLElement {
  const problems = [...report.errors.map((p) => ({ ...p, severity: 'error' })), ...report.warnings.map((p) => ({ ...p, severity: 'warning' }))].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return h(
    'section',
    { class: 'mapping-preview', id: 'mapping-preview', 'aria-label': 'Mapping file check' },
    report.ok
      ? messageBar('success', `The file is valid: ${report.rows} rows, ${report.mappedUsers} mapped users.`)
      : messageBar('error', `The file has ${report.errors.length} error(s); fix them and choose the file again.`),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Rows'), h('dd', { id: 'preview-rows' }, report.rows),
      h('dt', {}, 'Mapped users'), h('dd', { id: 'preview-users' }, report.mappedUsers),
      h('dt', {}, 'Errors'), h('dd', { id: 'preview-errors' }, report.errors.length),
      h('dt', {}, 'Warnings'), h('dd', { id: 'preview-warnings' }, report.warnings.length),
      h('dt', {}, 'Addresses the directory does not know'), h('dd', { id: 'preview-unknown' }, report.unknownAddresses.length),
    ),
    table('Problems by line', [
      { header: 'Line', cell: (p) => p.line, numeric: true },
      { header: 'Severity', cell: (p) => h('fluent-badge', { appearance: 'tint', color: p.severity === 'error' ? 'danger' : 'warning' }, p.severity) },
      { header: 'Problem', cell: (p) => p.message },
    ], problems, { empty: 'No problems.', id: 'preview-problems' }),
  );
}

export async function renderWizard(ctx: PageContext): Promise<void> {
  const products = await ctx.api.get<ProductChoice[]>('products');
  const draft: Draft = {
    id: '', folderName: '', accepted: false, baseUrl: '', username: '', password: '', passwordSecretName: '',
    autoMapping: true, region: 'US', startFrom: daysAgo(1), enabled: true,
  };
  let step = 0;
  const body = h('div', { class: 'wizard-body' });
  const steps = h('ol', { class: 'steps', 'aria-label': 'Steps' });

  const show = (next: number): void => {
    step = next;
    replace(steps, ...STEPS.map((s, i) => h('li', { 'aria-current': i === step ? 'step' : false, class: i < step ? 'done' : undefined }, s)));
    replace(body, STEP_VIEWS[step]!());
    body.querySelector<HTMLElement>('h2')?.focus();
  };

  const nav = (canGoOn: () => string | undefined, options: { next?: string; onNext?: () => Promise<boolean> } = {}): HTMLElement => {
    const problem = h('div', { class: 'step-problem', id: 'step-problem' });
    return h('div', { class: 'wizard-nav' },
      problem,
      step > 0 ? h('fluent-button', { id: 'wizard-back', onclick: () => show(step - 1) }, 'Back') : null,
      h('fluent-button', {
        appearance: 'primary',
        id: 'wizard-next',
        onclick: async () => {
          const refusal = canGoOn();
          if (refusal !== undefined) return replace(problem, messageBar('warning', refusal));
          if (options.onNext !== undefined && !(await options.onNext())) return;
          show(step + 1);
        },
      }, options.next ?? 'Next'),
    );
  };

  const section = (title: string, ...children: Child[]): HTMLElement =>
    h('section', { 'aria-labelledby': 'step-title' }, h('h2', { id: 'step-title', tabindex: '-1' }, `Step ${step + 1} of ${STEPS.length}: ${title}`), ...children);

  const productStep = (): HTMLElement => {
    const group = h('fluent-radio-group', { id: 'product', 'aria-labelledby': 'product-label', orientation: 'vertical' },
      ...products.map((p) => h('fluent-field', { 'label-position': 'after' }, h('label', { slot: 'label', for: `product-${p.id}` }, p.name), h('fluent-radio', { slot: 'input', id: `product-${p.id}`, value: p.id, checked: draft.product?.id === p.id }))));
    const id = h('fluent-text-input', { id: 'connector-id', value: draft.id, required: true, maxlength: 63 });
    const folder = h('fluent-text-input', { id: 'folder-name', value: draft.folderName });
    group.addEventListener('change', () => {
      const chosen = products.find((p) => p.id === valueOf(group));
      if (chosen !== undefined && valueOf(folder) === '') (folder as unknown as { value: string }).value = chosen.defaultFolderName;
    });
    return section('Product',
      h('p', { id: 'product-label' }, 'Which TeleMessage archiver does this connector read?'),
      group,
      field('Connector ID', id, { hint: '2 to 63 lower-case letters, digits or dashes; it names the connector everywhere.' }),
      field('Mailbox folder', folder, { hint: "Where the items go in each mailbox; empty: the product's folder." }),
      nav(() => {
        draft.product = products.find((p) => p.id === valueOf(group));
        draft.id = valueOf(id).trim();
        draft.folderName = valueOf(folder).trim() || (draft.product?.defaultFolderName ?? '');
        if (draft.product === undefined) return 'Choose a product.';
        if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(draft.id)) return 'The connector ID must be 2 to 63 lower-case letters, digits or dashes, starting with a letter or digit.';
        if (draft.passwordSecretName === '') draft.passwordSecretName = `telemessage-${draft.id}-password`;
        return undefined;
      }),
    );
  };

  const termsStep = (): HTMLElement => {
    const accept = h('fluent-checkbox', { id: 'accept-terms', checked: draft.accepted });
    return section('Terms',
      h('div', { class: 'terms', id: 'terms-text', tabindex: '0', role: 'document', 'aria-label': 'Terms' },
        h('p', {}, 'This connector copies your organisation\'s TeleMessage archive into Microsoft 365 mailboxes. You confirm that your organisation may archive these communications into those mailboxes, that you hold the TeleMessage account it signs in with, and that the participants have been told of the archiving as your policies and the law require.'),
        h('p', {}, 'Items stay in your storage account as TeleMessage delivered them, write-once; every change you make here is recorded in the audit trail with your name.'),
      ),
      field('I accept these terms', accept, { after: true }),
      nav(() => {
        draft.accepted = isChecked(accept);
        return draft.accepted ? undefined : 'Accept the terms to go on.';
      }),
    );
  };

  const signInStep = (): HTMLElement => {
    const baseUrl = h('fluent-text-input', { id: 'tm-base-url', type: 'url', value: draft.baseUrl, required: true });
    const username = h('fluent-text-input', { id: 'tm-username', value: draft.username, required: true, autocomplete: 'off' });
    const password = h('fluent-text-input', { id: 'tm-password', type: 'password', value: draft.password, required: true, autocomplete: 'new-password' });
    const secret = h('fluent-text-input', { id: 'tm-secret', value: draft.passwordSecretName, required: true });
    const result = h('div', { id: 'signin-result', 'aria-live': 'polite' });
    if (draft.checked !== undefined && draft.checked === signInKey(draft)) replace(result, messageBar('success', 'TeleMessage accepted this sign-in.'));
    const read = (): void => {
      draft.baseUrl = valueOf(baseUrl).trim();
      draft.username = valueOf(username).trim();
      draft.password = valueOf(password);
      draft.passwordSecretName = valueOf(secret).trim();
    };
    const check = async (): Promise<boolean> => {
      read();
      replace(result, h('fluent-spinner', { size: 'tiny', 'aria-label': 'Checking with TeleMessage' }), ' Checking with TeleMessage…');
      try {
        await ctx.api.send('POST', 'connectors/check-signin', { baseUrl: draft.baseUrl, username: draft.username, password: draft.password });
        draft.checked = signInKey(draft);
        replace(result, messageBar('success', 'TeleMessage accepted this sign-in.'));
        ctx.announce('TeleMessage accepted the sign-in.');
        return true;
      } catch (error) {
        draft.checked = undefined;
        replace(result, errorBar(error, 'signin-error'));
        if (error instanceof ApiError && error.field === 'password') password.focus();
        return false;
      }
    };
    return section('TeleMessage sign-in',
      h('p', {}, 'The connector signs in to the TeleMessage archive API with this account. The password is checked with TeleMessage now, stored in Key Vault (or the local secret store) when you finish, and never shown again.'),
      field('TeleMessage API address', baseUrl, { hint: 'https://…; http only for a local simulator.' }),
      field('API user', username),
      field('Password', password),
      field('Name of the secret', secret, { hint: 'The Key Vault secret (or local app setting) that will hold the password.' }),
      changeButton(ctx, 'Check sign-in', () => void check(), { id: 'check-signin' }),
      result,
      nav(() => {
        read();
        if (!ctx.canChange) return READ_ONLY_HINT;
        if (draft.passwordSecretName === '') return 'Name the secret that will hold the password.';
        return undefined;
      }, { onNext: async () => (draft.checked === signInKey(draft) ? true : check()) }),
    );
  };

  const mappingStep = (): HTMLElement => {
    const auto = h('fluent-switch', { id: 'auto-mapping', checked: draft.autoMapping });
    const file = h('input', { type: 'file', id: 'mapping-file', accept: '.csv,text/csv' });
    const preview = h('div', { id: 'mapping-result', 'aria-live': 'polite' }, draft.report === undefined ? null : mappingPreview(draft.report));
    file.addEventListener('change', async () => {
      const chosen = file.files?.[0];
      draft.file = chosen;
      draft.report = undefined;
      if (chosen === undefined) return replace(preview);
      replace(preview, h('fluent-spinner', { size: 'tiny', 'aria-label': 'Checking the file' }));
      try {
        const report = await ctx.api.upload<MappingReport>('mapping/validate', chosen, { region: draft.region });
        draft.report = report;
        replace(preview, mappingPreview(report));
        ctx.announce(report.ok ? 'The mapping file is valid.' : `The mapping file has ${report.errors.length} errors.`);
      } catch (error) {
        const report = error instanceof ApiError ? (error.body?.['report'] as MappingReport | undefined) : undefined;
        replace(preview, report === undefined ? errorBar(error, 'mapping-error') : mappingPreview(report));
      }
    });
    return section('User mapping',
      h('p', {}, 'Each participant\'s phone number or address must lead to a mailbox. Automatic mapping uses a participant\'s own email address; a mapping file (CSV: number, address) maps phone numbers.'),
      field('Automatic mapping by email address', auto, { after: true }),
      h('div', { class: 'file-field' }, h('label', { for: 'mapping-file' }, 'Mapping file (CSV, up to 10 MB)'), file),
      preview,
      nav(() => {
        draft.autoMapping = isChecked(auto);
        if (draft.file !== undefined && draft.report?.ok !== true) return 'The mapping file has errors: fix it and choose it again, or clear it.';
        if (!draft.autoMapping && draft.file === undefined) return 'With automatic mapping off, a mapping file is needed.';
        return undefined;
      }),
    );
  };

  const scheduleStep = (): HTMLElement => {
    const start = h('input', { type: 'date', id: 'start-from', value: draft.startFrom, max: daysAgo(0), required: true });
    const enabled = h('fluent-checkbox', { id: 'enable-on-finish', checked: draft.enabled });
    return section('Schedule and back-fill',
      h('p', {}, 'The connector runs on the app\'s schedule (ARCHIVER_SCHEDULE, daily by default) and catches up one UTC day per job. Back-fill starts at the day you choose.'),
      h('div', { class: 'file-field' }, h('label', { for: 'start-from' }, 'Back-fill from (UTC day)'), start),
      field('Start archiving when I finish', enabled, { after: true }),
      nav(() => {
        draft.startFrom = start.value;
        draft.enabled = isChecked(enabled);
        return /^\d{4}-\d{2}-\d{2}$/.test(draft.startFrom) ? undefined : 'Choose the day to back-fill from.';
      }),
    );
  };

  const reviewStep = (): HTMLElement => {
    const outcome = h('div', { id: 'finish-result', 'aria-live': 'polite' });
    const finish = async (): Promise<void> => {
      replace(outcome, h('fluent-spinner', { size: 'tiny', 'aria-label': 'Adding the connector' }));
      try {
        const added = await ctx.api.send<{ connector: ConnectorOverview }>('POST', 'connectors', {
          id: draft.id, product: draft.product?.id, baseUrl: draft.baseUrl, username: draft.username,
          password: draft.password, passwordSecretName: draft.passwordSecretName, folderName: draft.folderName,
          region: draft.region, autoMapping: draft.autoMapping, startFrom: `${draft.startFrom}T00:00:00Z`,
          // Enabled only once its mapping file is in force.
          enabled: draft.enabled && draft.file === undefined,
        });
        draft.password = '';
        if (draft.file !== undefined) await ctx.api.upload('mapping', draft.file, { connector: draft.id, fileName: draft.file.name });
        if (draft.enabled && draft.file !== undefined) await ctx.api.send('PATCH', `connectors/${encodeURIComponent(draft.id)}`, { enabled: true });
        ctx.announce(`Connector ${added.connector.id} added.`);
        ctx.go(`#/connectors/${encodeURIComponent(draft.id)}`);
      } catch (error) {
        replace(outcome, errorBar(error, 'finish-error'));
      }
    };
    const fact = (term: string, value: Child): Child[] => [h('dt', {}, term), h('dd', {}, value)];
    return section('Review',
      h('dl', { class: 'facts', id: 'review' },
        ...fact('Product', draft.product?.name ?? ''),
        ...fact('Connector ID', draft.id),
        ...fact('Mailbox folder', draft.folderName),
        ...fact('TeleMessage', `${draft.username} at ${draft.baseUrl}`),
        ...fact('Password', `checked with TeleMessage; stored as secret ${draft.passwordSecretName}`),
        ...fact('Automatic mapping', draft.autoMapping ? 'on' : 'off'),
        ...fact('Mapping file', draft.file === undefined ? 'none' : `${draft.file.name}: ${draft.report?.rows ?? 0} rows, ${draft.report?.mappedUsers ?? 0} mapped users`),
        ...fact('Back-fill from', `${draft.startFrom} (UTC)`),
        ...fact('When finished', draft.enabled ? 'enabled: archiving starts at the next run' : 'disabled'),
      ),
      outcome,
      h('div', { class: 'wizard-nav' },
        h('fluent-button', { id: 'wizard-back', onclick: () => show(step - 1) }, 'Back'),
        changeButton(ctx, 'Finish', () => void finish(), { appearance: 'primary', id: 'wizard-finish' }),
      ),
    );
  };

  const STEP_VIEWS = [productStep, termsStep, signInStep, mappingStep, scheduleStep, reviewStep];
  replace(ctx.main, heading('Add connector', 'Set up a TeleMessage archiver in six steps.'), ctx.canChange ? null : messageBar('warning', READ_ONLY_HINT), h('div', { class: 'wizard' }, steps, body));
  show(0);
}
