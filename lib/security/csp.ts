// Content-Security-Policy of every page, built per request by proxy.ts with a fresh nonce:
// scripts run only when they carry the nonce (Next adds it to its own script tags when the
// request's CSP header names one; the layout adds it to the theme script), and whatever those
// scripts load ('strict-dynamic'). No 'unsafe-inline' or 'unsafe-eval' for scripts in
// production; `next dev` needs 'unsafe-eval' for React's development build. Styles keep
// 'unsafe-inline' (React and recharts set style attributes). Nothing may frame Jobdeck.
export function contentSecurityPolicy(nonce: string, dev = process.env.NODE_ENV !== "production"): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A fresh nonce: 128 random bits, base64. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
