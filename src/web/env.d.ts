/// <reference types="vite/client" />
declare module '*.txt?raw' {
  const text: string;
  export default text;
}
declare module 'virtual:builtin-texts' {
  /** Moby-Dick's text served beside the page, or undefined when its optional npm package was not installed at build time (vite.config.ts). */
  export const MOBY_DICK_URL: string | undefined;
}
