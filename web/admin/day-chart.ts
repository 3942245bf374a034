import type { ConnectorDay } from './api';
import { h, svg } from './dom';

/** The series of the per-day chart, each with the colour of its legend swatch (admin.css). */
export const SERIES = [
  { key: 'fetched', label: 'Fetched' },
  { key: 'imported', label: 'Imported' },
  { key: 'partial', label: 'Partly imported' },
  { key: 'unmapped', label: 'Unmapped' },
  { key: 'failed', label: 'Failed' },
] as const;

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { left: 44, right: 12, top: 12, bottom: 36 };

/**
 * Items per day as grouped bars in SVG, with the same numbers in a table beside it for screen
 * readers (the picture is labelled, the table carries the values).
 */
export function dayChart(days: readonly ConnectorDay[]): HTMLElement {
  const max = Math.max(1, ...days.flatMap((d) => SERIES.map((s) => d[s.key])));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const groupWidth = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(2, (groupWidth * 0.8) / SERIES.length);
  const y = (value: number): number => PAD.top + plotHeight - (value / max) * plotHeight;
  const ticks = [0, Math.ceil(max / 2), max];
  const labelEvery = Math.ceil(days.length / 10);

  const picture = svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': 'day-chart-title', class: 'day-chart', id: 'day-chart' },
    svg('title', { id: 'day-chart-title' }, `Items per day: ${SERIES.map((s) => s.label.toLowerCase()).join(', ')}; the table below has the numbers`),
    ...ticks.map((tick) =>
      svg('g', { class: 'tick' },
        svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(tick), y2: y(tick), class: 'grid' }),
        svg('text', { x: PAD.left - 6, y: y(tick) + 4, 'text-anchor': 'end' }, String(tick)),
      ),
    ),
    ...days.map((d, i) =>
      svg(
        'g',
        { class: 'day', 'data-day': d.day },
        ...SERIES.map((s, j) =>
          svg('rect', {
            class: `bar bar-${s.key}`,
            'data-series': s.key,
            'data-value': d[s.key],
            x: PAD.left + i * groupWidth + groupWidth * 0.1 + j * barWidth,
            y: y(d[s.key]),
            width: barWidth,
            height: Math.max(0, PAD.top + plotHeight - y(d[s.key])),
          }, svg('title', {}, `${d.day} ${s.label.toLowerCase()}: ${d[s.key]}`)),
        ),
        i % labelEvery === 0 ? svg('text', { x: PAD.left + i * groupWidth + groupWidth / 2, y: HEIGHT - PAD.bottom + 16, 'text-anchor': 'middle' }, d.day.slice(5)) : null,
      ),
    ),
  );
  const legend = h('ul', { class: 'legend', 'aria-hidden': 'true' }, ...SERIES.map((s) => h('li', {}, h('span', { class: `swatch bar-${s.key}` }), s.label)));
  return h('figure', { class: 'chart' }, picture, legend);
}
