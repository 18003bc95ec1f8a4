// Thin route file: the handler, its auth, schemas and errors live in lib/api (see lib/api/route.ts).
import { workersRoute } from "@/lib/api/sources-handlers";

export const dynamic = "force-dynamic";
export const GET = workersRoute;
