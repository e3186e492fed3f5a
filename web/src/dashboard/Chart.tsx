/** ECharts from its parts (line, bar; grid, tooltip, legend; canvas): only what the dashboard draws. */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<LineSeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

/**
 * A chart that follows its box's size; `label` names it for screen readers, `summary` says what it
 * shows; `onDrawn` is called whenever an option has been drawn (setOption draws at once: no lazy update).
 */
export function Chart({ option, label, summary, onDrawn }: { option: ChartOption; label: string; summary: string; onDrawn?: () => void }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const drawn = useRef(onDrawn);
  drawn.current = onDrawn;
  useEffect(() => {
    const c = echarts.init(el.current!, 'dark', { renderer: 'canvas' });
    chart.current = c;
    // 'finished': drawn and its animation over (screenshots wait for data-settled)
    c.on('finished', () => el.current?.parentElement?.setAttribute('data-settled', 'true'));
    // (an observer reports the size it starts with: no second drawing for that)
    const ro = new ResizeObserver(() => { if (el.current && (el.current.clientWidth !== c.getWidth() || el.current.clientHeight !== c.getHeight())) c.resize(); });
    ro.observe(el.current!);
    return () => { ro.disconnect(); c.dispose(); chart.current = null; };
  }, []);
  useEffect(() => {
    el.current?.parentElement?.setAttribute('data-settled', 'false');
    chart.current?.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true });
    drawn.current?.();
  }, [option]);
  return (
    <figure className="chart" aria-label={label} data-settled="false">
      <div ref={el} className="chart-canvas" role="img" aria-label={summary} />
    </figure>
  );
}
