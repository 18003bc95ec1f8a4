// PLACEHOLDER on the celery-base branch only (never merged alone): the Celery source adapter
// reads the celery_* tables the bridge fills and acts through the broker. Replaced by the
// adapter's own branch.
import type { Database } from "../../../db/client";
import type { CelerySourceConfig } from "../config";
import { type Source, SourceUnavailableError } from "../types";

export async function createCelerySource(config: CelerySourceConfig, control: Database): Promise<Source> {
  void control;
  throw new SourceUnavailableError(config.name, "the Celery adapter is not built on this branch");
}
