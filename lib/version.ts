import pkg from "../package.json";

/** The running Jobdeck version, reported by workers and the health endpoint. */
export const JOBDECK_VERSION: string = pkg.version;
