/** chart.js, bundled (no CDN), with only the parts the dashboard draws. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
} from 'chart.js';
import { h } from './dom';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, CategoryScale, Legend, Tooltip, Title);

/** The palette of series. */
export const COLORS = ['#2f6fde', '#d64545', '#1f9d55', '#c98a00', '#7b4bd6', '#0f9bb0'];

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

/** A line chart over `labels` (x) with a title and y-axis label; the x axis is simulated time unless `xLabel` says otherwise. */
export function lineChart(title: string, yLabel: string, labels: string[], series: LineSeries[], testId?: string, xLabel = 'simulated time'): ChartBox {
  const canvas = h('canvas', { 'data-testid': testId, 'aria-label': title });
  const el = h('div', { class: 'card' }, h('div', { class: 'chart' }, canvas));
  const config: ChartConfiguration<'line'> = {
    type: 'line',
    data: { labels, datasets: series.map((s, i) => ({ label: s.label, data: s.data, yAxisID: s.right ? 'y2' : 'y', borderColor: s.color ?? COLORS[i % COLORS.length], backgroundColor: s.color ?? COLORS[i % COLORS.length], pointRadius: 2, borderWidth: 1.5, spanGaps: true })) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { title: { display: true, text: title }, legend: { display: series.length > 1 } },
      scales: {
        x: { title: { display: true, text: xLabel }, ticks: { maxTicksLimit: 8 } },
        y: { beginAtZero: true, title: { display: true, text: yLabel } },
        ...(series.some((s) => s.right) ? { y2: { position: 'right' as const, beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: series.filter((s) => s.right).map((s) => s.label).join(', ') } } } : {}),
      },
    },
  };
  return { el, chart: new Chart(canvas, config) };
}

/** Replaces the data of a line chart made by {@link lineChart}. */
export function updateLine(box: ChartBox, labels: string[], data: (number | null)[][]): void {
  box.chart.data.labels = labels;
  data.forEach((d, i) => {
    if (box.chart.data.datasets[i]) box.chart.data.datasets[i].data = d;
  });
  box.chart.update('none');
}

/** A bar chart: one bar per label. */
export function barChart(title: string, labels: string[], values: number[], testId?: string): ChartBox {
  const canvas = h('canvas', { 'data-testid': testId, 'aria-label': title });
  const el = h('div', { class: 'card' }, h('div', { class: 'chart' }, canvas));
  const chart = new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label: title, data: values, backgroundColor: labels.map((_, i) => COLORS[i % COLORS.length]) }] },
    options: { animation: false, maintainAspectRatio: false, plugins: { title: { display: true, text: title }, legend: { display: false } }, scales: { y: { beginAtZero: true } } },
  });
  return { el, chart };
}
