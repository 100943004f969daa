/**
 * An error in what the user gave us (a configuration, a batch, a file): the CLI prints its
 * message alone and exits with code 2. Anything else escaping is a bug in smaug-sim.
 */
export class InputError extends Error {
  override readonly name = "InputError";
}
