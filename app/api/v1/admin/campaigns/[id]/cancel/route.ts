// Thin route file: the handler, its auth, schemas and errors live in lib/api (see lib/api/route.ts).
import { campaignCancelRoute } from "@/lib/api/other-handlers";

export const dynamic = "force-dynamic";
export const POST = campaignCancelRoute;
