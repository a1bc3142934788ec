/** A wasm engine helper thread in the page: takes its init, says so, then runs the protocol of src/engines/wasm/threads.ts. */
import { runHelper, type HelperInit } from '../engines/wasm/threads.ts';

self.onmessage = (event: MessageEvent<HelperInit>) => {
  (self as unknown as Worker).postMessage('ready');
  runHelper(event.data);
};
