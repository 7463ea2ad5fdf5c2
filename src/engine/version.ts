/** Recorded in every results file; a test keeps it equal to package.json's version. */
export const ENGINE_VERSION = '0.6.0';
