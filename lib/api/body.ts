// Request bodies read with a size cap, before anything is parsed: a Content-Length over the cap is
// refused at once, and a body without one (chunked) is read only until it passes the cap. Either
// way the answer is 413 naming the limit. JSON bodies are small (the largest is 100,000 job ids);
// NDJSON retries carry exported job lines with their payloads, so they may be larger.
import { ApiError } from "./errors";

/** Largest JSON request body: room for the longest id list (MAX_EXPLICIT_IDS ids) a request may name. */
export const MAX_JSON_BODY_BYTES = 2 * 1024 * 1024;
/** Largest NDJSON request body (POST /api/v1/admin/jobs/retry): 100,000 exported lines with payloads. */
export const MAX_NDJSON_BODY_BYTES = 64 * 1024 * 1024;

const mib = (bytes: number) => `${bytes / (1024 * 1024)} MiB`;

// The rest of the body stays unread, so the connection cannot carry another request: say so.
function tooLarge(what: string, cap: number): ApiError {
  const message = `the ${what} body is larger than ${mib(cap)} (${cap.toLocaleString("en-US")} bytes), the limit for ${what} requests; send less at once`;
  return new ApiError(413, "payload_too_large", message, undefined, { connection: "close" });
}

/**
 * The body's chunks as they arrive, refusing (413) a declared or actual size over `cap` bytes.
 * Stops reading (and cancels the stream) as soon as the cap is passed.
 */
export async function* cappedChunks(request: Request, cap: number, what: string): AsyncGenerator<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > cap) throw tooLarge(what, cap);
  if (!request.body) return;
  const reader = request.body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      total += value.byteLength;
      if (total > cap) throw tooLarge(what, cap);
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** The whole body as text, at most `cap` bytes (413 beyond). */
export async function readCappedText(request: Request, cap: number, what: string): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of cappedChunks(request, cap, what)) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** The body's lines as they arrive (without their line ends), at most `cap` bytes in all (413 beyond). */
export async function* cappedLines(request: Request, cap: number, what: string): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const strip = (line: string) => (line.endsWith("\r") ? line.slice(0, -1) : line);
  let rest = "";
  for await (const chunk of cappedChunks(request, cap, what)) {
    const piece = decoder.decode(chunk, { stream: true });
    // Only the new piece is searched, so a long line costs its length once.
    let start = 0;
    for (let nl = piece.indexOf("\n"); nl !== -1; nl = piece.indexOf("\n", start)) {
      yield strip(rest + piece.slice(start, nl));
      rest = "";
      start = nl + 1;
    }
    rest += piece.slice(start);
  }
  rest += decoder.decode();
  if (rest) yield strip(rest);
}
