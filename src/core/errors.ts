/** Errors that mean bad input, thrown by the core; each face words them as one line. */

/** Training text that cannot be trained on: no document, a character outside the vocabulary, another text than the checkpoint's. */
export class DataError extends Error {
  override name = 'DataError';
}

/** A run whose loss or gradients stopped being finite: the settings are too aggressive for the data. */
export class DivergedError extends Error {
  override name = 'DivergedError';
  constructor(
    /** The 1-based step whose loss (or gradient) was not finite. */
    readonly step: number,
    readonly loss: number,
    /** The gradients' L2 norm, when the loss was finite but they were not. */
    readonly gradNorm?: number,
  ) {
    super(`diverged at step ${step} (${gradNorm === undefined ? `loss ${loss}` : `gradient norm ${gradNorm}`}); lower the learning rate`);
  }
}
