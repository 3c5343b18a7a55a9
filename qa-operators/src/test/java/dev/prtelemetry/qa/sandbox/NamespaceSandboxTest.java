package dev.prtelemetry.qa.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Containment, for real, the same tests for each tool that builds the namespace sandbox
 * ({@link BubblewrapSandboxTest}: skipped, saying so, where bubblewrap is missing; {@link UtilLinuxSandboxTest}: on
 * every Linux machine, never skipped). Each test runs hostile code in the sandbox and checks the
 * host side.
 */
abstract class NamespaceSandboxTest {
    NamespaceSandbox sandbox;
    Path work;
    Path out;

    abstract NamespaceSandbox.Detection detect();

    @BeforeEach
    void dirs() throws Exception {
        sandbox = detect().sandbox();
        work = Files.createTempDirectory("prt-sbx-work");
        out = Files.createTempDirectory("prt-sbx-out");
        Files.writeString(work.resolve("hello.txt"), "hi\n");
    }

    Sandbox.Result run(Limits limits, String script) throws Exception {
        return sandbox.run(work, List.of("/bin/sh", "-c", script), Map.of(), limits, out);
    }

    /** A dependency cache is there to read, and cannot be changed. */
    @Test
    void aReadOnlyCacheCanBeReadNotWritten() throws Exception {
        Path cache = Files.createTempDirectory("prt-sbx-cache");
        Files.createDirectories(cache.resolve("org/example"));
        Files.writeString(cache.resolve("org/example/lib.jar"), "jar\n");
        NamespaceSandbox.makeReadable(cache);
        String inside = Sandbox.DEPS + "/m2";
        var r = sandbox.run(work, List.of("/bin/sh", "-c", "cat " + inside + "/org/example/lib.jar; echo x > " + inside
                + "/org/example/new 2>/dev/null && echo WROTE; rm -f " + inside + "/org/example/lib.jar 2>/dev/null; echo done"),
                Map.of(), Limits.defaults(), out, List.of(new Sandbox.Mount(cache, inside)));
        assertThat(r.output()).as(r.output()).contains("jar").contains("done").doesNotContain("WROTE");
        assertThat(cache.resolve("org/example/lib.jar")).exists();
        assertThat(cache.resolve("org/example/new")).doesNotExist();
        NamespaceSandbox.deleteTree(cache);
    }

    @Test
    void runsAsAnUnprivilegedUserInACopyOfTheWorkspaceAndReturnsTheOutputFolder() throws Exception {
        var r = run(Limits.defaults(), "id -u; cat hello.txt; echo changed > hello.txt; echo report > " + Sandbox.OUT + "/r.xml");
        assertThat(r.exitCode()).as(r.output()).isZero();
        String uid = r.output().lines().findFirst().orElseThrow();
        assertThat(uid).isNotEqualTo("0");
        assertThat(r.output()).contains("hi");
        assertThat(Files.readString(work.resolve("hello.txt"))).isEqualTo("hi\n"); // the original is untouched
        assertThat(Files.readString(out.resolve("r.xml"))).isEqualTo("report\n");
    }

    @Test
    void cannotReachAPortListeningOnThisMachine() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(100);
            AtomicBoolean accepted = new AtomicBoolean();
            AtomicBoolean finished = new AtomicBoolean();
            Thread t = new Thread(() -> {
                long until = System.currentTimeMillis() + 8000;
                while (System.currentTimeMillis() < until && !finished.get()) {
                    try {
                        server.accept().close();
                        accepted.set(true);
                    } catch (SocketTimeoutException e) {
                        // keep listening
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            t.start();
            var r = run(Limits.defaults(), "python3 -c \"import socket; socket.create_connection(('127.0.0.1', "
                    + server.getLocalPort() + "), timeout=3); print('CONNECTED')\"");
            finished.set(true);
            t.join();
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.output()).doesNotContain("CONNECTED");
            assertThat(accepted).isFalse();
        }
    }

    /** Test suites start servers on localhost and talk to them: the run has a loopback of its own. */
    @Test
    void testsCanTalkToTheirOwnLocalServers() throws Exception {
        var r = run(Limits.defaults(), "python3 -c \"import socket\ns = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
                + "c = socket.create_connection(s.getsockname(), timeout=3); a, _ = s.accept(); c.sendall(b'ping'); print(a.recv(4).decode())\"");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("ping");
    }

    @Test
    void cannotReadSecretsOrWriteOutsideTheWorkspace() throws Exception {
        var r = run(Limits.defaults(), "cat /etc/shadow >/dev/null 2>&1 && echo READ-SHADOW; ls /root >/dev/null 2>&1 && echo READ-ROOT; "
                + "touch /usr/prt-escape 2>/dev/null && echo WROTE-USR; touch " + work.toAbsolutePath() + "/escape 2>/dev/null && echo WROTE-HOST; echo done");
        assertThat(r.output()).contains("done").doesNotContain("READ-SHADOW").doesNotContain("READ-ROOT")
                .doesNotContain("WROTE-USR").doesNotContain("WROTE-HOST");
        assertThat(Files.exists(Path.of("/usr/prt-escape"))).isFalse();
        assertThat(Files.exists(work.resolve("escape"))).isFalse();
    }

    @Test
    void aForkBombIsContainedAndLeavesNothing() throws Exception {
        String sleep = uniqueSleep(30);
        var r = run(Limits.defaults().withWallTimeout(Duration.ofSeconds(6)), "b() { b | b & }; b; " + sleep);
        assertThat(r.killed() || r.exitCode() != 0).isTrue();
        assertThat(leftovers(sleep)).isZero();
    }

    @Test
    void aMemoryBombIsStopped() throws Exception {
        Limits limits = Limits.defaults().withMemoryBytes(512L << 20);
        var r = run(limits, "python3 -c \"x = [bytearray(64 << 20) for _ in range(64)]; print('ALLOCATED')\"");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).doesNotContain("ALLOCATED");
        if (NamespaceSandbox.memoryControl(limits).equals("cgroup")) {
            assertThat(r.killed()).isTrue(); // the kernel's OOM killer, inside the run's own group
            assertThat(r.output()).contains("reached its memory limit (512 MiB)");
        } else {
            assertThat(r.output()).contains("MemoryError"); // the address-space limit
        }
    }

    /**
     * Memory means memory used: a run that reserves far more address space than the limit but
     * touches little of it (as JVMs, Go and pytest's reporting on large modules do) is not killed
     * where a cgroup measures what it uses.
     */
    @Test
    void reservedButUntouchedMemoryDoesNotCountWhereACgroupMeasuresUse() throws Exception {
        Limits limits = Limits.defaults().withMemoryBytes(512L << 20);
        assumeTrue(NamespaceSandbox.memoryControl(limits).equals("cgroup"), "no memory cgroup can be made here (address-space limit only)");
        var r = run(limits, "python3 -c \"import mmap; m = mmap.mmap(-1, 3 << 30); m[0] = 1; m[(3 << 30) - 1] = 1; print('RESERVED')\"");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("RESERVED");
    }

    @Test
    void aDiskFillingWriteIsStopped() throws Exception {
        var r = run(Limits.defaults(), "python3 -c \"f = open('big', 'wb')\nfor _ in range(4096): f.write(b'0' * (1 << 20))\nprint('WROTE 4 GiB')\"");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).doesNotContain("WROTE 4 GiB");
    }

    @Test
    void aBusyLoopHitsTheCpuLimit() throws Exception {
        Limits limits = new Limits(Duration.ofSeconds(30), 2, 1L << 30, 256, 64L << 20, 512L << 20, 128L << 20);
        var r = run(limits, "python3 -c \"while True: pass\"");
        assertThat(r.killed()).isTrue();
        assertThat(r.timedOut()).as("stopped by the CPU limit, before the 30 s wall timeout").isFalse();
    }

    @Test
    void aSleepPastTheTimeoutIsKilledWithEveryChild() throws Exception {
        String sleep = uniqueSleep(31);
        var r = run(Limits.defaults().withWallTimeout(Duration.ofSeconds(2)), "(" + sleep + " &); " + sleep);
        assertThat(r.timedOut()).isTrue();
        assertThat(leftovers(sleep)).isZero();
    }

    /** When the verifier dies (killed, not shut down), its sandboxes die with it: nothing runs on unwatched. */
    @Test
    void aRunDiesWithTheProcessThatStartedIt() throws Exception {
        String sleep = uniqueSleep(32);
        Path root = Files.createTempDirectory("prt-sbx-root");
        NamespaceSandbox.makeReadable(work);
        Files.setPosixFilePermissions(out, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> verifier = new java.util.ArrayList<>(List.of("/bin/sh", "-c", "\"$@\" & wait", "verifier"));
        verifier.addAll(sandbox.commandLine(work, List.of("/bin/sh", "-c", sleep), Map.of(), Limits.defaults(), out, List.of(), null, root));
        Process p = new ProcessBuilder(verifier).redirectErrorStream(true).start(); // stands for the verifier's JVM
        // wait for the sleep itself: the sandbox's own processes carry the marker in their arguments from their
        // first instant, before they have tied themselves to their parent (a kill then is a test race, not a leak)
        java.util.function.Predicate<ProcessHandle> theSleep = h -> h.info().command().orElse("").endsWith("/sleep")
                && h.info().commandLine().orElse("").contains(sleep);
        long deadline = System.currentTimeMillis() + 20_000;
        while (ProcessHandle.allProcesses().noneMatch(theSleep) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ProcessHandle.allProcesses().anyMatch(theSleep)).isTrue();
        p.destroyForcibly(); // the verifier dies: nobody kills the sandbox's processes for it
        p.waitFor();
        assertThat(leftovers(sleep)).isZero();
        Files.deleteIfExists(root);
    }

    /**
     * A {@code sleep} no other process on this machine runs: its fractional seconds are random, so
     * the leftover check finds only what this test started (an unrelated {@code sleep 300} elsewhere
     * once failed a check for "sleep 30").
     */
    static String uniqueSleep(int seconds) {
        return "sleep " + seconds + "." + (100_000_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(900_000_000));
    }

    /** Processes on this machine whose command line contains {@code text} (a unique marker: see {@link #uniqueSleep}). */
    static long leftovers(String text) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000; // the kernel tears a PID namespace down asynchronously: wait for it, not a fixed time
        long n;
        do {
            n = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(text)).count();
            if (n == 0) {
                return 0;
            }
            Thread.sleep(100);
        } while (System.currentTimeMillis() < deadline);
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(text))
                .forEach(p -> System.err.println("left over: " + p.pid() + " " + p.info().commandLine().orElse("")));
        return n;
    }
}
