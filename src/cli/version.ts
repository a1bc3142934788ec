/** The package's version, read from package.json (beside dist/ and src/ alike). */
import { createRequire } from 'node:module';

export const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
