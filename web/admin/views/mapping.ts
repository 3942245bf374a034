import { ApiError, type MappingDiff, type MappingFileVersion, type MappingReport, type MappingVersionListing } from '../api';
import { h, messageBar, replace, table } from '../dom';
import { changeButton, connectorPicker, errorBar, heading, type PageContext } from '../context';
import { when } from '../format';
import { mappingPreview } from './wizard';

/** A connector's mapping files: upload with a check first, versions, the difference between two, roll back. */
export async function renderMapping(ctx: PageContext, query: URLSearchParams): Promise<void> {
  const picker = await connectorPicker(ctx, query.get('connector') ?? undefined, (id) => ctx.go(`#/mapping?connector=${encodeURIComponent(id)}`));
  const connector = picker.value;
  if (connector === '') {
    replace(ctx.main, heading('Mapping files'), h('p', { class: 'empty' }, 'No connectors yet.'));
    return;
  }
  const listing = await ctx.api.get<MappingVersionListing>('mapping/versions', { connector });
  const versions = [...listing.versions].sort((a, b) => b.appliedAt.localeCompare(a.appliedAt));
  const result = h('div', { id: 'mapping-result', 'aria-live': 'polite' });
  const refresh = (message: string): void => {
    ctx.announce(message);
    void renderMapping(ctx, query).then(() => {
      const again = ctx.main.querySelector('#mapping-result');
      if (again !== null) replace(again, messageBar('success', message));
    });
  };

  // Upload: the file is checked at once; Apply is offered only for a file without errors.
  const file = h('input', { type: 'file', id: 'mapping-upload', accept: '.csv,text/csv', disabled: !ctx.canChange });
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (chosen === undefined) return replace(result);
    replace(result, h('fluent-spinner', { size: 'tiny', 'aria-label': 'Checking the file' }));
    try {
      const report = await ctx.api.upload<MappingReport>('mapping/validate', chosen, { connector });
      const apply = async (): Promise<void> => {
        try {
          await ctx.api.upload('mapping', chosen, { connector, fileName: chosen.name });
          refresh(`${chosen.name} applied: ${report.rows} rows, ${report.mappedUsers} mapped users.`);
        } catch (error) {
          const rejected = error instanceof ApiError ? (error.body?.['report'] as MappingReport | undefined) : undefined;
          replace(result, rejected === undefined ? errorBar(error, 'apply-error') : mappingPreview(rejected));
        }
      };
      replace(result, mappingPreview(report), report.ok ? changeButton(ctx, `Apply ${chosen.name}`, () => void apply(), { appearance: 'primary', id: 'apply-mapping' }) : null);
      ctx.announce(report.ok ? 'The mapping file is valid.' : `The mapping file has ${report.errors.length} errors.`);
    } catch (error) {
      const report = error instanceof ApiError ? (error.body?.['report'] as MappingReport | undefined) : undefined;
      replace(result, report === undefined ? errorBar(error, 'mapping-error') : mappingPreview(report));
    }
  });

  const rollback = async (version: string): Promise<void> => {
    try {
      await ctx.api.send('POST', 'mapping/rollback', { connector, version });
      refresh(`Rolled back to ${version}.`);
    } catch (error) {
      replace(result, errorBar(error, 'rollback-error'));
    }
  };

  const versionSelect = (id: string, label: string, index: number): HTMLElement =>
    h('span', { class: 'inline-field' }, h('label', { for: id }, label),
      h('select', { id }, ...versions.map((v, i) => h('option', { value: v.version, selected: i === index }, `${when(v.appliedAt)} ${v.fileName ?? v.version}`))));
  const diffOut = h('div', { id: 'diff-result', 'aria-live': 'polite' });
  const showDiff = async (): Promise<void> => {
    const from = (ctx.main.querySelector('#diff-from') as HTMLSelectElement).value;
    const to = (ctx.main.querySelector('#diff-to') as HTMLSelectElement).value;
    try {
      const diff = await ctx.api.get<MappingDiff>('mapping/diff', { connector, from, to });
      const rows = [
        ...diff.added.map((a) => ({ change: 'added', number: a.number, before: '', after: a.address })),
        ...diff.removed.map((r) => ({ change: 'removed', number: r.number, before: r.address, after: '' })),
        ...diff.changed.map((c) => ({ change: 'changed', number: c.number, before: c.from, after: c.to })),
      ];
      replace(diffOut,
        h('p', { id: 'diff-summary' }, `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged.`),
        table('Difference between the two versions', [
          { header: 'Change', cell: (r) => r.change },
          { header: 'Number', cell: (r) => r.number },
          { header: 'Before', cell: (r) => r.before },
          { header: 'After', cell: (r) => r.after },
        ], rows, { empty: 'The two versions map the same numbers.', id: 'diff-table' }));
    } catch (error) {
      replace(diffOut, errorBar(error, 'diff-error'));
    }
  };

  replace(
    ctx.main,
    heading('Mapping files', 'Which phone number or address goes to which mailbox. Every applied file is kept as a version.'),
    h('div', { class: 'filters' }, picker.element),
    h('section', { 'aria-labelledby': 'upload-title' },
      h('h2', { id: 'upload-title' }, 'Upload a new version'),
      h('div', { class: 'file-field' }, h('label', { for: 'mapping-upload' }, 'Mapping file (CSV, up to 10 MB): it is checked at once, and applied only when you choose Apply'), file),
      result,
    ),
    h('section', { 'aria-labelledby': 'versions-title' },
      h('h2', { id: 'versions-title' }, 'Versions'),
      table<MappingFileVersion>('Mapping file versions', [
        { header: 'Applied', cell: (v) => when(v.appliedAt) },
        { header: 'By', cell: (v) => v.appliedBy ?? '—' },
        { header: 'File', cell: (v) => v.fileName ?? '' },
        { header: 'Rows', cell: (v) => v.rows ?? '', numeric: true },
        { header: 'Version', cell: (v) => h('code', {}, v.version) },
        { header: 'In force', cell: (v) => (v.version === listing.current ? h('fluent-badge', { appearance: 'filled', color: 'success' }, 'current') : '') },
        { header: 'Action', cell: (v) => (v.version === listing.current ? '' : changeButton(ctx, 'Roll back', () => void rollback(v.version), { size: 'small', class: 'rollback', 'aria-label': `Roll back to ${v.version}` })) },
      ], versions, { empty: 'No mapping file applied yet.', id: 'versions-table' }),
    ),
    versions.length < 2 ? null : h('section', { 'aria-labelledby': 'diff-title' },
      h('h2', { id: 'diff-title' }, 'Compare two versions'),
      h('div', { class: 'filters' }, versionSelect('diff-from', 'From', 1), versionSelect('diff-to', 'To', 0), h('fluent-button', { id: 'show-diff', onclick: () => void showDiff() }, 'Compare')),
      diffOut,
    ),
  );
}
