// Thin route file: the handler, its auth, schemas and errors live in lib/api (see lib/api/route.ts).
import { sourcesRoute } from "@/lib/api/sources-handlers";

export const dynamic = "force-dynamic";
export const GET = sourcesRoute;
