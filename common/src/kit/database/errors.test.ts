import net from 'node:net';
import { MongoNetworkError, MongoServerClosedError } from 'mongodb';
import { isDatabaseUnavailable, isDuplicateKeyError } from './errors';

/** The driver does not export this class; its instances carry this name and message. */
function poolClearedOnNetworkError(): Error {
  return Object.assign(new Error('Connection to 127.0.0.1:27017 interrupted due to server monitor timeout'), { name: 'PoolClearedOnNetworkError' });
}

/** The error Node gives a write to a socket whose other end has closed it. */
async function writeAfterTheServerClosed(): Promise<Error> {
  const server = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('end', resolve));
  const error = await new Promise<Error>((resolve) => socket.write('ping', (err) => resolve(err!)));
  socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  return error;
}

describe('what database errors mean', () => {
  test('When the server is away or dropped the connection, then it is "unavailable" (a 503, an event put back)', async () => {
    const selection = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoServerSelectionError' });
    expect(isDatabaseUnavailable(selection)).toBe(true);
    // A pooled connection the restarted server no longer has: Node's own error, unwrapped by the driver.
    const ended = await writeAfterTheServerClosed();
    expect(ended.message).toMatch(/socket has been ended/);
    expect(isDatabaseUnavailable(ended)).toBe(true);
  });

  test('When the driver says in any of its ways that the server went away, then it is "unavailable"', () => {
    for (const error of [new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed'), new MongoServerClosedError(), poolClearedOnNetworkError()]) {
      expect({ name: error.name, unavailable: isDatabaseUnavailable(error) }).toEqual({ name: error.name, unavailable: true });
    }
  });

  test("When an error is the request's or the code's own, then it is not", () => {
    expect(isDatabaseUnavailable(new Error('order 1 vanished'))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('E11000 duplicate key'), { code: 11000 }))).toBe(false);
    expect(isDuplicateKeyError(Object.assign(new Error('E11000 duplicate key'), { code: 11000 }))).toBe(true);
    expect(isDatabaseUnavailable('not an error')).toBe(false);
  });
});
