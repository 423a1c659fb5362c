// The parts of Apache ECharts a party's site draws with, and no more (the
// full build is almost twice the bytes, copied into every site): bar and
// line series; the cartesian grid with its category, value, time and log
// axes; the axis tooltip; the inside and slider zooms of daily charts;
// incident bands (markArea); the legend, hidden, which the site's own
// legend buttons toggle (legendToggleSelect); the canvas renderer. A
// chart option using anything else would be ignored silently: add it
// here, then run make echarts.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, DataZoomComponent, MarkAreaComponent, LegendComponent, CanvasRenderer]);

window.echarts = echarts;
