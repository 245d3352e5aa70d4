// Browser side of the dashboards: draws each chart from the JSON block the page carries next to
// its canvas (<script type="application/json" id="chart-X-data">), with Chart.js bundled here.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartType,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

interface ChartData {
  type: ChartType;
  labels: string[];
  datasets: { label: string; data: number[] }[];
}

const COLOURS = ['#2563eb', '#d97706', '#059669', '#7c3aed'];

function draw(canvas: HTMLCanvasElement): void {
  const source = document.getElementById(`${canvas.dataset.chart ?? ''}-data`);
  if (!source?.textContent) return;
  const data = JSON.parse(source.textContent) as ChartData;
  new Chart(canvas, {
    type: data.type,
    data: {
      // Days show as MM-DD; other labels (months, names, numbers) as they come.
      labels: data.labels.map((label) => (/^\d{4}-\d{2}-\d{2}$/.test(label) ? label.slice(5) : label)),
      datasets: data.datasets.map((set, i) => ({
        label: set.label,
        data: set.data,
        backgroundColor: COLOURS[i % COLOURS.length],
        borderColor: COLOURS[i % COLOURS.length],
        pointRadius: 0,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: 'bottom' } },
      scales: { y: { beginAtZero: true } },
    },
  });
  canvas.dataset.drawn = 'true';
}

document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]').forEach(draw);
});
