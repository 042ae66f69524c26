/** Raised for bad command lines: printed with a hint, exit status 2, before any work starts. */
export class UsageError extends Error {}
