// The app's sources, opened once per process on the shared control database (the native source
// reads through getReadDb(): a replica when DATABASE_READ_URL is set; cached on
// globalThis like getDb, so HMR and the instrumentation bundle share them), and the one place
// that turns a `?source=` value into a Source.
import "server-only";
import { openSources, type SourceRegistry } from "@/lib/sources/registry";
import { NATIVE_SOURCE, type Source, UnknownSourceError } from "@/lib/sources/types";
import { getDb } from "./db";
import { getReadDb } from "./read-db";

type Cache = { jobdeckSources?: Promise<SourceRegistry> };
const cache = globalThis as typeof globalThis & Cache;

export function getSources(): Promise<SourceRegistry> {
  if (!cache.jobdeckSources) {
    const opening = Promise.all([getDb(), getReadDb()]).then(([db, read]) => openSources(db, undefined, undefined, read));
    cache.jobdeckSources = opening;
    opening.catch(() => {
      if (cache.jobdeckSources === opening) cache.jobdeckSources = undefined;
    });
  }
  return cache.jobdeckSources;
}

/** `?source=` (absent or empty = the native source) → the Source, or UnknownSourceError. */
export async function sourceFromParam(value: string | string[] | null | undefined): Promise<Source> {
  const name = (Array.isArray(value) ? value[0] : value)?.trim() || NATIVE_SOURCE;
  const registry = await getSources();
  const source = registry.get(name);
  if (!source) throw new UnknownSourceError(name, registry.all.map((s) => s.name));
  return source;
}

export async function closeSources(): Promise<void> {
  const opening = cache.jobdeckSources;
  cache.jobdeckSources = undefined;
  const r = await opening?.catch(() => null);
  await r?.close();
}
