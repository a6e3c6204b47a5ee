/**
 * Limits of the runner, each with its reason.
 */

/**
 * Largest vector file the runner reads. The largest public file we carry (Noise cacophony) is
 * 1.7 MB and Wycheproof's largest files are under 10 MB; 64 MiB leaves room for growth while a
 * wrong path (a disk image, a log) is refused before it is read into memory.
 */
export const MAX_VECTOR_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Failed cases printed under one file and backend. A broken primitive fails hundreds of cases
 * with the same cause; the first few tell the story, the count tells the size.
 */
export const MAX_PRINTED_FAILURES = 10;

/** Directory depth the runner descends to: vector folders are shallow; this stops link loops. */
export const MAX_DIRECTORY_DEPTH = 16;
