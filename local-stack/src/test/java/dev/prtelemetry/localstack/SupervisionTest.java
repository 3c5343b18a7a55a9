package dev.prtelemetry.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster's plumbing on its own: the process supervisor and the gateways' balancer. */
class SupervisionTest {
    @TempDir
    Path dir;

    @Test
    void aKilledProcessIsStartedAgainAndAStoppedOneIsNot() throws Exception {
        Supervised p = new Supervised("sleeper", List.of("sleep", "300"), Map.of(), dir.resolve("sleeper.log"), null, 1);
        p.start();
        long first = p.pid();
        assertThat(p.alive()).isTrue();
        assertThat(p.restartIfDead()).isFalse();
        p.kill(); // kill -9
        assertThat(p.alive()).isFalse();
        assertThat(p.restartIfDead()).isTrue();
        assertThat(p.alive()).isTrue();
        assertThat(p.pid()).isNotEqualTo(first);
        assertThat(p.restarts()).isEqualTo(1);
        p.stop(Duration.ofSeconds(5));
        assertThat(p.alive()).isFalse();
        assertThat(p.restartIfDead()).isFalse(); // stopped on purpose: left stopped
    }

    @Test
    void theHealthProbeIsWhatTheProcessServes() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThat(Supervised.probe(null, s.getLocalPort())).isTrue();
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertThat(Supervised.probe(null, closed)).isFalse();
        assertThat(Supervised.probe("http://127.0.0.1:" + closed + "/readyz", closed)).isFalse();
    }

    @Test
    void theBalancerSpreadsConnectionsAndSkipsABackendThatIsDown() throws Exception {
        try (Echo a = new Echo("a"); Echo b = new Echo("b");
             TcpBalancer balancer = TcpBalancer.start(0, List.of(a.port(), b.port()))) {
            List<String> served = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                served.add(ask(balancer.port(), "hello " + i));
            }
            assertThat(served).containsExactlyInAnyOrder("a: hello 0", "b: hello 1", "a: hello 2", "b: hello 3");
            b.close(); // a gateway dies
            for (int i = 0; i < 4; i++) {
                assertThat(ask(balancer.port(), "again " + i)).isEqualTo("a: again " + i);
            }
            assertThat(balancer.refused()).isGreaterThanOrEqualTo(2);
        }
    }

    private static String ask(int port, String line) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            s.setSoTimeout(5000);
            PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
            out.println(line);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    /** A backend that answers each line with its name and the line. */
    static final class Echo implements AutoCloseable {
        final ServerSocket server;

        Echo(String name) throws Exception {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket c = server.accept()) {
                        String line = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8)).readLine();
                        new PrintWriter(c.getOutputStream(), true, StandardCharsets.UTF_8).println(name + ": " + line);
                    } catch (Exception e) {
                        // closed
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }
}
