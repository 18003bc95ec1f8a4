// "Needs attention": what an operator should fix now, each with one line of why and a link to
// the page that fixes it.
import Link from "next/link";
import type { AttentionItem } from "@/lib/queries/summary";
import { StateBadge } from "../state-badge";
import { Panel } from "./panel";

export function AttentionPanel({ items }: { items: AttentionItem[] }) {
  return (
    <Panel id="attention" title="Needs attention" note={items.length ? `${items.length} item${items.length === 1 ? "" : "s"}` : "all clear"}>
      {items.length === 0 ? (
        <p className="px-3 py-3 text-sm text-muted" data-testid="attention-clear">
          Nothing needs attention: no stale locks, no offline workers holding jobs, dead jobs not rising, every queue with work has an online worker.
        </p>
      ) : (
        <ul className="divide-y divide-border">
          {items.map((item) => (
            <li key={item.id} data-testid="attention-item" data-attention={item.id} className="flex flex-wrap items-start gap-x-3 gap-y-1 px-3 py-2">
              <StateBadge state={item.severity === "bad" ? "dead" : "failed"} label={item.severity === "bad" ? "act now" : "watch"} />
              <div className="min-w-0 flex-1">
                <p className="text-sm font-medium">{item.title}</p>
                <p className="text-xs text-muted">{item.explanation}</p>
              </div>
              <Link href={item.href} className="whitespace-nowrap text-sm font-medium text-accent underline-offset-2 hover:underline">
                {item.linkLabel} →
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
