// A point in time shown as "3 min ago" / "in 2 h", with the absolute UTC time on hover (title) and
// in a machine-readable <time dateTime>.
//
// Usage:
//   <RelativeTime date={job.createdAt} />                 // Date | ISO string | epoch ms | null
//   <RelativeTime date={job.lockedUntil} now={renderedAt} />  // pass the server's render clock to
//                                                             // make SSR and first client render agree
//   <RelativeTime date={null} />                          // renders "—"
//
// It re-renders itself every 15 s (every 1 s while under a minute), so "12 s ago" keeps counting.
// Before hydration it renders with `now` (default: the first render's clock), so server and client
// markup match; then it switches to the browser's clock.
//
// Also exported here, usable from server components as well: toDate(), formatUtc(d) →
// "2026-05-14 09:03:12 UTC", formatRelative(d, nowMs) → "3 min ago". (This module has no
// "use client" on purpose, so those helpers stay plain functions on the server; the component
// lives in ./relative-time-client.)
export { RelativeTime } from "./relative-time-client";
export { type DateInput, formatRelative, formatUtc, toDate } from "./time-format";
