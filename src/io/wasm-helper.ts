/** A wasm engine helper thread in Node: takes its init, says so, then runs the protocol of src/engines/wasm/threads.ts until told to stop. */
import { parentPort } from 'node:worker_threads';
import { runHelper, type HelperInit } from '../engines/wasm/threads.ts';

parentPort!.once('message', (init: HelperInit) => {
  parentPort!.postMessage('ready');
  runHelper(init);
});
