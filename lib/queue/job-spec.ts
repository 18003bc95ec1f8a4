// What a producer may say about a new job, validated once for the CLI, the API and the library.
import { z } from "zod";

export const PRIORITY_MIN = -100;
export const PRIORITY_MAX = 100;

export const prioritySchema = z.coerce
  .number()
  .int("priority must be a whole number")
  .min(PRIORITY_MIN, `priority must be between ${PRIORITY_MIN} and ${PRIORITY_MAX}`)
  .max(PRIORITY_MAX, `priority must be between ${PRIORITY_MIN} and ${PRIORITY_MAX}`);

const name = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} must not be empty`)
    .max(200, `${what} is longer than 200 characters`);

export const jobSpecSchema = z.object({
  kind: name("kind"),
  queue: name("queue").default("default"),
  payload: z.unknown().default({}),
  priority: prioritySchema.default(0),
  runAt: z.coerce.date({ message: "runAt must be an ISO date" }).optional(),
  maxAttempts: z.coerce.number().int().min(1).max(1000).default(5),
  campaignId: z.number().int().positive().optional(),
  parentId: z.number().int().positive().optional(),
  itemKey: z.string().min(1).max(1000).optional(),
  position: z.number().int().min(0).optional(),
});

export type JobSpec = z.input<typeof jobSpecSchema>;
export type ParsedJobSpec = z.output<typeof jobSpecSchema>;

export function formatZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}
