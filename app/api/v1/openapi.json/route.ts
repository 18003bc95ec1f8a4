// GET /api/v1/openapi.json: the OpenAPI 3.1 document, generated from the request/response zod schemas.
import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-static";

export function GET() {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
