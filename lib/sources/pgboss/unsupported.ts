// Filters a pg-boss source cannot apply, each with the sentence the API and pages show.
import type { UnsupportedFilters } from "../types";

export const UNSUPPORTED_FILTERS: UnsupportedFilters = {
  worker: "pg-boss does not record which worker fetched or ran a job",
  campaignId: "campaigns are Jobdeck's own; pg-boss jobs belong to none",
  id: "pg-boss job ids are UUIDs, not numbers: open a job by its key (queue:uuid)",
};
