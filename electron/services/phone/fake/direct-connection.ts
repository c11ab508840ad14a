/**
 * Test support: connects @yume-chan/adb straight to a fake phone's TCP port (no adb server), using the
 * library's daemon transport. Shows the fake speaks the wire protocol to a second, independent client.
 */
import net from 'node:net';
import { Adb, AdbDaemonTransport, AdbPacket, AdbPacketSerializeStream, type AdbCredentialStore } from '@yume-chan/adb';
import { Consumable, ReadableStream, StructDeserializeStream, WritableStream, pipeFrom } from '@yume-chan/stream-extra';

/** The fake answers CNXN without AUTH, so no key is ever needed. */
const noKeys: AdbCredentialStore = {
  generateKey() {
    throw new Error('The fake phone should not ask for AUTH in direct mode.');
  },
  iterateKeys() {
    return [];
  },
};

export async function connectDirect(port: number, host = '127.0.0.1'): Promise<{ adb: Adb; socket: net.Socket }> {
  const socket = net.connect(port, host);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  const bytes = new ReadableStream<Uint8Array>({
    start(controller) {
      socket.on('data', (d: Buffer) => controller.enqueue(new Uint8Array(d)));
      socket.on('end', () => {
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
      socket.on('error', (e) => {
        try {
          controller.error(e);
        } catch {
          // already errored
        }
      });
    },
  });
  const sink = new WritableStream<Consumable<Uint8Array>>({
    async write(chunk) {
      await chunk.tryConsume(
        (data) =>
          new Promise<void>((resolve, reject) => {
            // The serializer reuses its header buffer: copy before handing it to the socket.
            socket.write(Buffer.from(data), (e) => (e ? reject(e) : resolve()));
          }),
      );
    },
    close() {
      socket.end();
    },
  });
  const connection = {
    readable: bytes.pipeThrough(new StructDeserializeStream(AdbPacket)),
    writable: pipeFrom(sink, new AdbPacketSerializeStream()),
  };
  const transport = await AdbDaemonTransport.authenticate({ serial: `${host}:${port}`, connection, credentialStore: noKeys });
  return { adb: new Adb(transport), socket };
}
