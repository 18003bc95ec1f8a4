// The banner under the header of every page while demo users are offered beside single sign-on
// (JOBDECK_DEMO_AUTH=force): anyone who reaches the server can sign in as a demo admin.
export function DemoAlongsideSsoBanner() {
  return (
    <div role="note" aria-label="Sign-in warning" className="border-t border-warn bg-warn-bg px-4 py-1 text-center text-xs font-semibold text-warn" data-testid="demo-alongside-sso">
      <span aria-hidden="true">⚠ </span>
      Demo users enabled alongside SSO: anyone who can reach this server can sign in as a demo admin (JOBDECK_DEMO_AUTH=force).
    </div>
  );
}
