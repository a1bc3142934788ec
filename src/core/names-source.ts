/**
 * makemore's names.txt, the text microgpt.py trains on: one pinned address
 * and its sha256, read by both faces (the CLI's data-source.ts downloads it
 * into the user cache, the page into the browser's cache). Browser-safe.
 */

/** The file at a pinned commit, so its bytes never change. */
export const NAMES_URL = 'https://raw.githubusercontent.com/karpathy/makemore/988aa59/names.txt';
export const NAMES_SHA256 = '0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d';
/** names.txt's size in bytes. */
export const NAMES_BYTES = 228_145;
/** The most a download may be: an answer that goes on is cut here. */
export const NAMES_DOWNLOAD_LIMIT = 256 * 1024;
