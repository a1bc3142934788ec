// Injected by scripts/bundle-cli.mjs into the CLI's CommonJS bundle, where import.meta is empty: the
// sources' import.meta.url becomes this, the bundle's own address (require and __filename are CommonJS's).
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
