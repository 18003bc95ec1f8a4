// Public entry for handler modules and embedders: `import { PermanentError } from "jobdeck/worker"`.
export { createWorker, type Worker, type WorkerOptions } from "./worker";
export { PermanentError, type Handler, type Handlers, type JobContext, type JobInfo } from "./types";
export { loadHandlers, runWorkerProcess } from "./process";
