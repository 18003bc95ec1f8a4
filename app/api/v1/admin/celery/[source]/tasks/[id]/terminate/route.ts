// Thin route file: the handler, its auth, schemas and errors live in lib/api (see lib/api/route.ts).
import { terminateCeleryTaskRoute } from "@/lib/api/celery-handlers";

export const dynamic = "force-dynamic";
export const POST = terminateCeleryTaskRoute;
