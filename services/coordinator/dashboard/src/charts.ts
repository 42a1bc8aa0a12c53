/** chart.js, bundled (no CDN), with only the parts the dashboard draws. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  ChartConfiguration,
  Legend,
  LinearScale,
  LogarithmicScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
} from 'chart.js';
import { barAxis } from './axis.range';
import { h } from './dom';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Legend,
  Tooltip,
  Title,
);

/** The palette of series. */
export const COLORS = ['#2f6fde', '#d64545', '#1f9d55', '#c98a00', '#7b4bd6', '#0f9bb0'];

/**
 * Colours of policies side by side (the compare page): one per policy,
 * the same in every chart, none red or green, so no policy is drawn as
 * "bad" or "good" by its colour.
 */
export const POLICY_COLORS = ['#2f6fde', '#7b4bd6', '#0f9bb0', '#c98a00', '#5f6b7a', '#1c3f8c'];

/** A line series. */
export interface LineSeries {
  label: string;
  data: (number | null)[];
  color?: string;
  /** Plot against a second y axis on the right (e.g. a cumulative count). */
  right?: boolean;
}

/** A canvas in a sized box, and the chart drawn on it. */
export interface ChartBox {
  el: HTMLElement;
  chart: Chart;
}

/**
 * How the x axis spaces its values: one slot per label (`category`), or
 * by value (`linear`, `logarithmic` for values that span decades), the
 * data then given as numbers to {@link updateLineXY}.
 */
export type XScale = 'category' | 'linear' | 'logarithmic';

/**
 * A line chart over `labels` (x) with a title and y-axis label; the x axis
 * is simulated time unless `xLabel` says otherwise. The canvas's
 * `data-x-unit` and `data-x-scale` say what its x axis shows.
 */
export function lineChart(
  title: string,
  yLabel: string,
  labels: string[],
  series: LineSeries[],
  testId?: string,
  xLabel = 'simulated time',
  xScale: XScale = 'category',
): ChartBox {
  const canvas = h('canvas', {
    'data-testid': testId,
    'aria-label': title,
    'data-x-unit': xLabel,
    'data-x-scale': xScale,
  });
  const el = h('div', { class: 'card' }, h('div', { class: 'chart' }, canvas));
  const config: ChartConfiguration<'line'> = {
    type: 'line',
    data: {
      labels,
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.data,
        yAxisID: s.right ? 'y2' : 'y',
        borderColor: s.color ?? COLORS[i % COLORS.length],
        backgroundColor: s.color ?? COLORS[i % COLORS.length],
        pointRadius: 2,
        borderWidth: 1.5,
        spanGaps: true,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { title: { display: true, text: title }, legend: { display: series.length > 1 } },
      scales: {
        x: { type: xScale, title: { display: true, text: xLabel }, ticks: { maxTicksLimit: 8 } },
        y: { beginAtZero: true, title: { display: true, text: yLabel } },
        ...(series.some((s) => s.right)
          ? {
              y2: {
                position: 'right' as const,
                beginAtZero: true,
                grid: { drawOnChartArea: false },
                title: {
                  display: true,
                  text: series
                    .filter((s) => s.right)
                    .map((s) => s.label)
                    .join(', '),
                },
              },
            }
          : {}),
      },
    },
  };
  return { el, chart: new Chart(canvas, config) };
}

/** Replaces the data of a line chart whose x axis is `linear` or `logarithmic`: one x value per point. */
export function updateLineXY(box: ChartBox, xs: number[], data: (number | null)[][]): void {
  box.chart.data.labels = [];
  box.chart.canvas.dataset.xLast = xs.length > 0 ? String(xs[xs.length - 1]) : '';
  data.forEach((d, i) => {
    if (box.chart.data.datasets[i]) box.chart.data.datasets[i].data = d.map((y, j) => ({ x: xs[j], y }));
  });
  box.chart.update('none');
}

/** A bar chart, or the sentence that replaces one whose bars would all be zero. */
export interface BarBox {
  el: HTMLElement;
  chart: Chart | null;
}

/**
 * A bar chart: one bar per label, on a value axis that shows their
 * differences (from zero, or from a baseline under close values: the
 * canvas's `data-y-min` says which). When every value is zero it draws no
 * empty axis but says `emptyText` (e.g. "no violations").
 */
export function barChart(
  title: string,
  labels: string[],
  values: number[],
  testId: string,
  emptyText: string,
  opts: { colors?: readonly string[]; fromZero?: boolean } = {},
): BarBox {
  const axis = opts.fromZero && values.some((v) => v !== 0) ? { kind: 'zero' as const } : barAxis(values);
  const colors = labels.map((_, i) => (opts.colors ?? COLORS)[i % (opts.colors ?? COLORS).length]);
  if (axis.kind === 'empty') {
    return {
      el: h(
        'div',
        { class: 'card' },
        h('h3', { class: 'chart-title', text: title }),
        h('p', { class: 'empty', 'data-testid': `${testId}-empty`, text: emptyText }),
      ),
      chart: null,
    };
  }
  const min = axis.kind === 'fit' ? axis.min : 0;
  const canvas = h('canvas', {
    'data-testid': testId,
    'aria-label': title,
    'data-y-min': min,
    'data-colors': colors.join(' '),
  });
  const el = h(
    'div',
    { class: 'card' },
    h('div', { class: 'chart' }, canvas),
    axis.kind === 'fit'
      ? h('div', { class: 'sub', text: `axis from ${min.toLocaleString('en-US')} (not zero) to show the differences` })
      : null,
  );
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [{ label: title, data: values, backgroundColor: colors }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: title }, legend: { display: false } },
      scales: { y: axis.kind === 'fit' ? { min } : { beginAtZero: true } },
    },
  });
  return { el, chart };
}
