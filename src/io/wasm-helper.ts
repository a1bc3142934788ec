/** A wasm engine helper thread in Node: says it is ready, then runs the protocol of src/engines/wasm/threads.ts until told to stop. */
import { parentPort } from 'node:worker_threads';
import { runHelper, type HelperInit } from '../engines/wasm/threads.ts';

parentPort!.once('message', (init: HelperInit) => runHelper(init));
parentPort!.postMessage('ready');
