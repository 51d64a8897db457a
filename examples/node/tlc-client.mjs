// The ES module entry of the tlc client (the code is tlc-client.cjs, one copy).
//   import { exportTimeline, startExport, TlcError } from './tlc-client.mjs';
import client from './tlc-client.cjs';

export const {
  EXIT, TlcError, TlcExport, exportArgs, exportTimeline, startExport, tlcBinary,
} = client;
export default client;
