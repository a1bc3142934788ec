/** An error the user can fix: printed as one line on stderr, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
