import net from 'node:net';

export interface TcpHop {
  /** The target's URL with the hop's port: connect through this. */
  url: string;
  /** Destroys every open connection, as a network failure or a restart would. */
  cut: () => void;
  /** Stops moving bytes on every connection, open or new, which stay open: a peer that went silent. */
  freeze: () => void;
  close: () => Promise<void>;
}

/** A TCP hop on loopback to a server of the test infrastructure, which a test can break. */
export async function tcpHop(target: URL): Promise<TcpHop> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const silent = new Set<net.Socket>();
  let frozen = false;
  const server = net.createServer((client) => {
    if (frozen) {
      client.pause();
      client.on('error', () => undefined);
      silent.add(client);
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    for (const socket of pair) {
      socket.on('error', () => undefined);
      socket.on('close', () => pairs.delete(pair));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.toString());
  url.port = String((server.address() as net.AddressInfo).port);
  const cut = (): void => {
    pairs.forEach((pair) => pair.forEach((socket) => socket.destroy()));
    silent.forEach((socket) => socket.destroy());
  };
  const freeze = (): void => {
    frozen = true;
    pairs.forEach(([client, upstream]) => {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    });
  };
  const close = (): Promise<void> => new Promise((resolve) => (cut(), server.close(() => resolve())));
  return { url: url.toString(), cut, freeze, close };
}
