// What a producer may say about a new job, validated once for the CLI, the API and the library.
import { z } from "zod";

export const PRIORITY_MIN = -100;
export const PRIORITY_MAX = 100;

// Numbers, or numeric strings as a form or URL sends them; never booleans, null or "".
const wholeNumber = (what: string) =>
  z
    .union([z.number(), z.string().trim().regex(/^[+-]?\d+$/, `${what} must be a whole number`).transform(Number)], {
      message: `${what} must be a whole number`,
    })
    .pipe(z.number().int(`${what} must be a whole number`));

export const prioritySchema = wholeNumber("priority").pipe(
  z
    .number()
    .min(PRIORITY_MIN, `priority must be between ${PRIORITY_MIN} and ${PRIORITY_MAX}`)
    .max(PRIORITY_MAX, `priority must be between ${PRIORITY_MIN} and ${PRIORITY_MAX}`),
);

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
  runAt: z
    .union([z.date(), z.string().min(1)], { message: "runAt must be an ISO date" })
    .pipe(z.coerce.date({ message: "runAt must be an ISO date" }))
    .optional(),
  maxAttempts: wholeNumber("maxAttempts")
    .pipe(z.number().min(1, "maxAttempts must be at least 1").max(1000, "maxAttempts must be at most 1000"))
    .default(5),
  campaignId: z.number().int().positive().optional(),
  parentId: z.number().int().positive().optional(),
  itemKey: z.string().min(1).max(1000).optional(),
  position: z.number().int().min(0).optional(),
});

export type JobSpec = z.input<typeof jobSpecSchema>;
export type ParsedJobSpec = z.output<typeof jobSpecSchema>;

export function formatZodError(err: z.ZodError): string {
  return err.issues
    // Our messages name their field; zod's generic ones get the path prefixed.
    .map((i) => (i.path.length && !i.message.startsWith(String(i.path[0])) ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}
