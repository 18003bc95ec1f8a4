"use client";
// One recharts time series (bars, lines or stacked areas) fed plain props by a server wrapper.
// Colours are the theme's CSS variables, so it follows light/dark. The SVG is hidden from
// assistive tech; the wrapper gives a text summary (aria) and a data table instead.
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { type ChartFormat, formatInstant, formatTick, formatValue } from "./chart-format";

export interface ChartSeries {
  key: string;
  label: string;
  /** A CSS colour, usually a theme variable: "var(--ok-fg)". */
  color: string;
  dashed?: boolean;
}

export function TimeSeriesChart({
  data,
  series,
  type,
  format,
  rangeSeconds,
  stacked = false,
  height = 180,
}: {
  data: ReadonlyArray<Record<string, number | null>>;
  series: readonly ChartSeries[];
  type: "bar" | "line" | "area";
  format: ChartFormat;
  rangeSeconds: number;
  stacked?: boolean;
  height?: number;
}) {
  const common = {
    data: data as Record<string, number | null>[],
    margin: { top: 6, right: 8, bottom: 0, left: 0 },
    accessibilityLayer: false,
  };
  const axes = (
    <>
      <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
      <XAxis
        dataKey="t"
        tickFormatter={(t: number) => formatTick(t, rangeSeconds)}
        tick={{ fill: "var(--muted)", fontSize: 11 }}
        stroke="var(--border)"
        minTickGap={28}
      />
      <YAxis
        tickFormatter={(v: number) => formatValue(v, format)}
        tick={{ fill: "var(--muted)", fontSize: 11 }}
        stroke="var(--border)"
        width={format === "ms" ? 58 : 44}
        allowDecimals={format !== "count"}
        domain={[0, "auto"]}
      />
      <Tooltip
        labelFormatter={(t) => formatInstant(Number(t))}
        formatter={(v, name) => [formatValue(v == null ? null : Number(v), format), name]}
        contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 6, fontSize: 12, color: "var(--fg)" }}
        labelStyle={{ color: "var(--fg)" }}
        cursor={{ fill: "var(--surface-2)", stroke: "var(--border)" }}
        isAnimationActive={false}
      />
      <Legend wrapperStyle={{ fontSize: 12, color: "var(--muted)" }} iconSize={10} />
    </>
  );
  return (
    <div aria-hidden="true" style={{ width: "100%", height }}>
      <ResponsiveContainer width="100%" height="100%">
        {type === "bar" ? (
          <BarChart {...common} barCategoryGap={1}>
            {axes}
            {series.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.color} stackId={stacked ? "s" : undefined} isAnimationActive={false} />
            ))}
          </BarChart>
        ) : type === "area" ? (
          <AreaChart {...common}>
            {axes}
            {series.map((s) => (
              <Area key={s.key} dataKey={s.key} name={s.label} stroke={s.color} fill={s.color} fillOpacity={0.25}
                stackId={stacked ? "s" : undefined} type="monotone" connectNulls={false} isAnimationActive={false} dot={false} />
            ))}
          </AreaChart>
        ) : (
          <LineChart {...common}>
            {axes}
            {series.map((s) => (
              <Line key={s.key} dataKey={s.key} name={s.label} stroke={s.color} strokeWidth={2} strokeDasharray={s.dashed ? "5 3" : undefined}
                type="monotone" dot={false} connectNulls={false} isAnimationActive={false} />
            ))}
          </LineChart>
        )}
      </ResponsiveContainer>
    </div>
  );
}
