/**
 * The two WebAssembly objects the engine hands around, named by shape so that
 * the published types need no global `WebAssembly` declaration: TypeScript's
 * DOM library has one, Node 20's typings do not, and a Node project without
 * the DOM library still type-checks microgpt's .d.ts files.
 */

/** A WebAssembly.Memory (shared when threads train). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(delta: number): number;
}

/** A compiled WebAssembly.Module. */
export type WasmModule = object;
