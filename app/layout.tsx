// The console frame: skip link, header with the product name, sections and who is signed in,
// main landmark. The caller is read here on every request (so every page is dynamic) and handed
// to client components as a plain copy (useCaller/useCan); signed out, the header shows only the
// product name and the theme switch.
import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import type { ClientCaller } from "@/components/auth/caller-context";
import { DemoAlongsideSsoBanner } from "@/components/auth/demo-alongside-sso";
import { HeaderUser } from "@/components/auth/header-user";
import { Providers } from "@/components/providers";
import { ReplicaLagBanner } from "@/components/replica-lag";
import { SiteNav } from "@/components/site-nav";
import { type SourceChoice, SourceSwitcher } from "@/components/sources/source-switcher";
import { getSources } from "@/lib/server/sources";
import { THEME_INIT_SCRIPT, ThemeToggle } from "@/components/theme-toggle";
import { getPageCaller } from "@/lib/auth/page-guard";
import { authSettings } from "@/lib/auth/settings";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Jobdeck", template: "%s · Jobdeck" },
  description: "Operations dashboard for PostgreSQL background-job queues",
};

export const viewport: Viewport = {
  colorScheme: "light dark",
};

async function clientCaller(): Promise<ClientCaller | null> {
  await connection();
  try {
    const c = await getPageCaller();
    return c && { name: c.name, roles: [...c.roles], source: c.source, expiresAt: c.expiresAt?.toISOString() ?? null };
  } catch (err) {
    // A sign-in misconfiguration: the page itself reports it; the header shows nobody.
    console.error(`[jobdeck] layout: could not read the caller: ${(err as Error).message}`);
    return null;
  }
}

/** Demo users offered beside single sign-on: every page says so (a misconfiguration shows nothing here). */
function demoAlongsideSso(): boolean {
  try {
    return authSettings().demoAlongsideSso;
  } catch {
    return false;
  }
}

/** The sources for the header's switcher (configuration only: no source is asked anything). */
async function sourceChoices(): Promise<SourceChoice[]> {
  try {
    return (await getSources()).all.map((s) => ({ name: s.name, kind: s.kind }));
  } catch {
    return [];
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const caller = await clientCaller();
  const sources = caller?.roles.length ? await sourceChoices() : [];
  // proxy.ts puts a fresh nonce on every page request; scripts without it do not run (CSP).
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }} />
      </head>
      <body className="bg-bg text-fg">
        <a
          href="#main"
          className="sr-only rounded bg-accent px-3 py-2 font-medium text-accent-fg focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50"
        >
          Skip to content
        </a>
        <Providers caller={caller}>
          <header className="sticky top-0 z-40 border-b border-border bg-surface/95 backdrop-blur">
            <div className="mx-auto flex max-w-[1400px] flex-wrap items-center gap-x-6 gap-y-1 px-4 py-1.5">
              <Link href="/" className="flex items-center gap-2 py-1 text-[15px] font-bold tracking-tight">
                <span aria-hidden="true" className="grid h-6 w-6 place-items-center rounded bg-accent text-[11px] font-black text-accent-fg">
                  J
                </span>
                Jobdeck
              </Link>
              {caller?.roles.length ? <SiteNav /> : null}
              <div className="ml-auto flex min-w-0 items-center gap-3">
                {sources.length > 1 ? <SourceSwitcher sources={sources} /> : null}
                {caller ? <HeaderUser caller={caller} /> : null}
                <ThemeToggle />
              </div>
            </div>
            {demoAlongsideSso() ? <DemoAlongsideSsoBanner /> : null}
            {caller?.roles.length ? <ReplicaLagBanner /> : null}
          </header>
          <main id="main" tabIndex={-1} className="mx-auto max-w-[1400px] px-4 py-4 outline-none">
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}
