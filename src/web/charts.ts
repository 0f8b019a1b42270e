/// <reference lib="dom" />
/**
 * @module web/charts
 * The two charts, with Apache ECharts (only the parts used are bundled): the hourly timeline (sign-in failures as
 * a line, attacks under way as bars stacked by type) and the world map of source countries, drawn from the
 * Natural Earth shapes shipped with the dashboard (no map tiles from the internet). Times on the axis are UTC.
 */
import { BarChart, LineChart, MapChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { feature } from 'topojson-client';
import { TYPE_COLORS, TYPE_ORDER } from './components.js';
import { countryName, fmtDateTime, fmtNumber, t, typeName } from './i18n.js';
import type { Activity } from './types.js';

echarts.use([LineChart, BarChart, MapChart, GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, DataZoomComponent, CanvasRenderer]);

const FONT = '"Noto Sans Arabic", system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif';
const AXIS = { axisLine: { lineStyle: { color: '#cfd6e0' } }, axisLabel: { color: '#5c6b82', fontFamily: FONT }, splitLine: { lineStyle: { color: '#eef1f5' } } };

export type Chart = echarts.ECharts;

function make(el: HTMLElement): Chart {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  const resize = () => chart.resize();
  window.addEventListener('resize', resize);
  const dispose = chart.dispose.bind(chart);
  chart.dispose = () => {
    window.removeEventListener('resize', resize);
    dispose();
  };
  return chart;
}

export function timelineChart(el: HTMLElement, a: Activity): Chart {
  const chart = make(el);
  const types = TYPE_ORDER.filter((type) => a.hours.some((h) => h.attacks[type]));
  const failures = t('timeline.failures');
  const attacks = t('timeline.attacks');
  const hasFailures = a.hours.some((h) => h.failures > 0);
  // Two bands on one time axis: how many sign-ins failed (top), which attacks were under way (bottom).
  const grids = hasFailures
    ? [
        { left: 64, right: 24, top: 56, height: '33%' },
        { left: 64, right: 24, top: '57%', bottom: 58 },
      ]
    : [{ left: 64, right: 24, top: 44, bottom: 58 }];
  const band = hasFailures ? 1 : 0;
  chart.setOption({
    useUTC: true,
    textStyle: { fontFamily: FONT },
    animation: false,
    grid: grids,
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    legend: { top: 4, type: 'scroll', icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#334155' } },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line', lineStyle: { color: '#94a3b8' } },
      // The axis value is a time: show it as the rest of the dashboard does (UTC, in the interface language).
      formatter: (params: any) => {
        const list = (Array.isArray(params) ? params : [params]).filter((p: any) => p.value?.[1]);
        const head = `<b>${fmtDateTime(Number((Array.isArray(params) ? params[0] : params)?.value?.[0]))}</b>`;
        return [head, ...list.map((p: any) => `${p.marker} ${p.seriesName}: <b>${fmtNumber(p.value[1])}</b>`)].join('<br>');
      },
    },
    xAxis: grids.map((_, i) => ({ type: 'time', gridIndex: i, ...AXIS, splitLine: { show: false }, axisLabel: { ...AXIS.axisLabel, show: i === grids.length - 1 } })),
    yAxis: [
      ...(hasFailures ? [{ type: 'value', gridIndex: 0, name: failures, nameTextStyle: { color: '#5c6b82', align: 'left' }, minInterval: 1, splitNumber: 3, ...AXIS }] : []),
      { type: 'value', gridIndex: band, name: attacks, nameTextStyle: { color: '#5c6b82', align: 'left' }, minInterval: 1, splitNumber: 3, ...AXIS },
    ],
    dataZoom: [
      { type: 'inside', xAxisIndex: grids.map((_, i) => i) },
      { type: 'slider', xAxisIndex: grids.map((_, i) => i), height: 18, bottom: 10, borderColor: '#dde3ea', fillerColor: 'rgba(47,91,234,0.12)', showDetail: false },
    ],
    series: [
      ...(hasFailures
        ? [
            {
              name: failures,
              type: 'line',
              xAxisIndex: 0,
              yAxisIndex: 0,
              showSymbol: false,
              color: '#4c6ef5',
              lineStyle: { width: 1.5 },
              areaStyle: { opacity: 0.15 },
              data: a.hours.map((h) => [h.t, h.failures]),
            },
          ]
        : []),
      ...types.map((type) => ({
        name: typeName(type),
        type: 'bar',
        stack: 'attacks',
        xAxisIndex: band,
        yAxisIndex: band,
        barMaxWidth: 12,
        barCategoryGap: '20%',
        color: TYPE_COLORS[type],
        data: a.hours.map((h) => [h.t, h.attacks[type] ?? 0]),
      })),
    ],
  });
  return chart;
}

let worldReady: Promise<void> | undefined;

/** Rings that cross the antimeridian (Russia's far east, Fiji) are moved east of 180° so none spans the map. */
function unwrap(coords: number[][][]): number[][][] {
  return coords.map((ring) => {
    const crosses = ring.some((p, i) => i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180);
    return crosses ? ring.map(([x, y]) => [x < 0 ? x + 360 : x, y]) : ring;
  });
}

/** Loads and registers the country shapes once (the map needs them before it is drawn). */
export function loadWorld(): Promise<void> {
  worldReady ??= (async () => {
    const res = await fetch('world.topo.json');
    if (!res.ok) throw new Error(`cannot load the country shapes (${res.status})`);
    const topo = (await res.json()) as { objects: { countries: unknown } };
    const geo = feature(topo, topo.objects.countries);
    for (const f of geo.features) {
      const g = f.geometry;
      if (!g) continue;
      if (g.type === 'Polygon') g.coordinates = unwrap(g.coordinates);
      else if (g.type === 'MultiPolygon') g.coordinates = g.coordinates.map(unwrap);
    }
    echarts.registerMap('world', geo as never);
  })();
  return worldReady;
}

export type MapMetric = 'attacks' | 'failures';

/** Draws the map; `loadWorld()` must have finished. */
export function worldMap(el: HTMLElement, a: Activity, metric: MapMetric): Chart {
  const chart = make(el);
  const data = a.countries.filter((c) => c[metric] > 0).map((c) => ({ name: c.country, value: c[metric] }));
  const max = Math.max(1, ...data.map((d) => d.value));
  const label = t(`map.metric.${metric}`);
  chart.setOption({
    textStyle: { fontFamily: FONT },
    animation: false,
    tooltip: {
      trigger: 'item',
      formatter: (p: any) => `<b>${countryName(p.name)}</b><br>${label}: ${Number.isFinite(p.value) ? fmtNumber(p.value) : '0'}`,
    },
    visualMap: {
      type: 'continuous',
      min: 0,
      max,
      left: 12,
      bottom: 12,
      itemHeight: 90,
      itemWidth: 10,
      text: [fmtNumber(max), '0'],
      textStyle: { color: '#5c6b82' },
      inRange: { color: metric === 'attacks' ? ['#ffe3e3', '#fa5252', '#a51111'] : ['#e7f0ff', '#5c7cfa', '#253a9c'] },
      calculable: false,
    },
    series: [
      {
        type: 'map',
        map: 'world',
        roam: true,
        scaleLimit: { min: 1, max: 12 },
        top: 8,
        bottom: 8,
        left: 8,
        right: 8,
        selectedMode: false,
        label: { show: false },
        itemStyle: { areaColor: '#e9edf3', borderColor: '#ffffff', borderWidth: 0.5 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: '#ffd43b' } },
        data,
      },
    ],
  });
  return chart;
}
