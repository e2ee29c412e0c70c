/** Public entry point; the package's content lands issue by issue (see the README). */
export {};
