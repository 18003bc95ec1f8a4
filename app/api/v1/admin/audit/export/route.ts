// Thin route file: the handler, its auth, schemas and errors live in lib/api (see lib/api/route.ts).
import { auditExportRoute } from "@/lib/api/audit-handlers";

export const dynamic = "force-dynamic";
export const GET = auditExportRoute;
