package dev.prtelemetry.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One port in front of several gateway instances, as a Kubernetes Service or a TCP load
 * balancer is: each new connection goes to the next instance (round robin); an instance that
 * refuses the connection is skipped for this connection and the next one is tried, so a killed
 * gateway costs its open connections only (clients retry them) and new ones go to the others.
 * Layer 4 only: bytes are copied both ways, nothing is parsed.
 */
public final class TcpBalancer implements AutoCloseable {
    private final ServerSocket server;
    private final List<InetSocketAddress> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean open = true;

    private TcpBalancer(ServerSocket server, List<InetSocketAddress> backends) {
        this.server = server;
        this.backends = List.copyOf(backends);
        this.acceptor = new Thread(this::acceptLoop, "balancer-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
    }

    public static TcpBalancer start(int port, List<Integer> backendPorts) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
        TcpBalancer b = new TcpBalancer(server, backendPorts.stream()
                .map(p -> new InetSocketAddress(InetAddress.getLoopbackAddress(), p)).toList());
        b.acceptor.start();
        return b;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far, and backend connection attempts refused (a backend down). */
    public long connections() {
        return connections.get();
    }

    public long refused() {
        return refused.get();
    }

    private void acceptLoop() {
        while (open) {
            try {
                Socket client = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(client), "balancer-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
        }
    }

    private void serve(Socket client) {
        Socket backend = connectToOne();
        if (backend == null) {
            closeQuietly(client); // every instance down: the client sees the connection close and retries
            return;
        }
        try {
            client.setTcpNoDelay(true);
            backend.setTcpNoDelay(true);
            Thread up = new Thread(() -> pump(client, backend), "balancer-up");
            up.setDaemon(true);
            up.start();
            pump(backend, client);
            up.join();
        } catch (IOException | InterruptedException e) {
            // the connection is over
        } finally {
            closeQuietly(client);
            closeQuietly(backend);
        }
    }

    private Socket connectToOne() {
        int start = Math.floorMod(next.getAndIncrement(), backends.size());
        for (int i = 0; i < backends.size(); i++) {
            InetSocketAddress address = backends.get((start + i) % backends.size());
            Socket s = new Socket();
            try {
                s.connect(address, 1000);
                return s;
            } catch (IOException e) {
                refused.incrementAndGet();
                closeQuietly(s);
            }
        }
        return null;
    }

    /** Copies until end of stream, then half-closes the other side (so HTTP/1.1 keep-alive and close both work). */
    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = from.getInputStream(); // not closed here: closing a socket's stream closes the socket
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // one side went away: close both, so the other side sees it at once
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        server.close();
    }
}
