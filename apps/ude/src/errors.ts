/**
 * The app's error classes. The CLI prints an UdeError as one line on stderr
 * (`ude: <what was wrong>. Fix: <how>`) and exits with its exit code, without a stack trace.
 */

/** Base class: bad input or usage that the user can fix. Exit code 2 unless said otherwise. */
export class UdeError extends Error {
  override name = "UdeError";
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** A data, parameter or results file that is missing, unreadable or malformed. */
export class InputFileError extends UdeError {
  override name = "InputFileError";
}

/** A command-line option whose value cannot work (unknown name, bad number, wrong combination). */
export class OptionError extends UdeError {
  override name = "OptionError";
}

/** A solve or gradient that failed at run time (exit code 1). */
export class RunError extends UdeError {
  override name = "RunError";
  constructor(message: string) {
    super(message, 1);
  }
}
