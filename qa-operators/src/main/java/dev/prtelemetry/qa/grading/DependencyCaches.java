package dev.prtelemetry.qa.grading;

import dev.prtelemetry.qa.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The dependency caches a sandboxed test run may read, so that builds verify offline: the
 * Maven local repository ({@code PRT_MAVEN_REPO}, default {@code ~/.m2/repository}), the npm cache
 * ({@code PRT_NPM_CACHE}, default {@code ~/.npm}), Gradle's module cache ({@code PRT_GRADLE_CACHE},
 * default {@code ~/.gradle/caches}) and Go's module cache ({@code PRT_GO_MODCACHE}, default
 * {@code ~/go/pkg/mod}). Each is mounted read-only under {@link Sandbox#DEPS}.
 *
 * <p>The sandbox user ({@code nobody} when the verifier runs as root, UID 65534 in Docker) must be
 * able to read them, but a cache's folders are often owner-only (a Maven repository made with
 * umask 027 has {@code drwxr-x---} folders around world-readable jars). So a cache is offered as a
 * <i>mirror</i>: the same tree with world-passable folders, whose files are hard links to the
 * cache's own (copies where a link cannot be made, or where the file is not world-readable — a
 * dependency cache holds published artifacts, not secrets). The mirror lives under
 * {@code PRT_SANDBOX_CACHE_DIR} (default {@code <tmp>/prt-sandbox-deps}), is brought up to date
 * by size and time stamp at most once a minute per cache, and never changes the cache itself.
 */
public final class DependencyCaches {
    /** A cache made readable for the sandbox: the folder to mount, and where the run sees it. */
    public record Cache(String name, Path source, Path readable, String inside) {
        public Sandbox.Mount mount() {
            return new Sandbox.Mount(readable, inside);
        }
    }

    private static final long RESYNC_MS = 60_000;
    private static final Map<Path, Long> SYNCED = new HashMap<>();

    private final Map<String, Path> sources;
    private final Path mirrors;

    public DependencyCaches(Map<String, Path> sources, Path mirrors) {
        this.sources = Map.copyOf(sources);
        this.mirrors = mirrors;
    }

    /** The caches this machine has, from the environment (see the class comment). */
    public static DependencyCaches fromEnvironment(Map<String, String> env) {
        Path home = Path.of(System.getProperty("user.home"));
        Map<String, Path> sources = new HashMap<>();
        put(sources, "maven", env.get("PRT_MAVEN_REPO"), home.resolve(".m2/repository"));
        put(sources, "npm", env.get("PRT_NPM_CACHE"), home.resolve(".npm"));
        put(sources, "gradle", env.get("PRT_GRADLE_CACHE"), home.resolve(".gradle/caches"));
        put(sources, "go", env.get("PRT_GO_MODCACHE"), home.resolve("go/pkg/mod"));
        Path mirrors = env.containsKey("PRT_SANDBOX_CACHE_DIR") ? Path.of(env.get("PRT_SANDBOX_CACHE_DIR"))
                : Path.of(System.getProperty("java.io.tmpdir"), "prt-sandbox-deps");
        return new DependencyCaches(sources, mirrors);
    }

    private static void put(Map<String, Path> sources, String name, String configured, Path fallback) {
        Path p = configured != null && !configured.isBlank() ? Path.of(configured) : fallback;
        if (Files.isDirectory(p)) {
            sources.put(name, p);
        }
    }

    /** No caches at all (runs see only the workspace). */
    public static DependencyCaches none() {
        return new DependencyCaches(Map.of(), Path.of(System.getProperty("java.io.tmpdir"), "prt-sandbox-deps"));
    }

    /** The cache's own folder on this machine (for tools that run outside the sandbox), or null. */
    public String source(String name) {
        Path p = sources.get(name);
        return p == null ? null : p.toString();
    }

    /** Where the cache {@code name} is seen inside the sandbox. */
    public static String inside(String name) {
        return Sandbox.DEPS + "/" + name;
    }

    /** The cache, made readable for the sandbox user (its mirror brought up to date); null when this machine has none. */
    public Cache get(String name) throws IOException {
        Path source = sources.get(name);
        if (source == null) {
            return null;
        }
        Path mirror = mirrors.resolve(name);
        synchronized (SYNCED) {
            Long last = SYNCED.get(mirror);
            if (last == null || System.currentTimeMillis() - last > RESYNC_MS || !Files.isDirectory(mirror)) {
                mirror(source, mirror);
                SYNCED.put(mirror, System.currentTimeMillis());
            }
        }
        return new Cache(name, source, mirror, inside(name));
    }

    /** Brings {@code mirror} up to date with {@code source}: world-passable folders, linked or copied files. */
    static void mirror(Path source, Path mirror) throws IOException {
        Files.createDirectories(mirror);
        passable(mirrors(mirror));
        passable(mirror);
        try (Stream<Path> s = Files.walk(source)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path rel = source.relativize(p);
                Path t = mirror.resolve(rel.toString());
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                if (a.isDirectory()) {
                    if (!Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(t);
                    }
                    passable(t);
                } else if (a.isRegularFile() && !p.getFileName().toString().endsWith(".lock")) {
                    if (Files.isRegularFile(t, LinkOption.NOFOLLOW_LINKS)) {
                        BasicFileAttributes m = Files.readAttributes(t, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        if (m.size() == a.size() && m.lastModifiedTime().equals(a.lastModifiedTime())) {
                            continue;
                        }
                        Files.delete(t);
                    }
                    place(p, t, a.lastModifiedTime());
                }
            }
        }
    }

    private static Path mirrors(Path mirror) {
        return mirror.getParent() == null ? mirror : mirror.getParent();
    }

    private static void place(Path from, Path to, FileTime mtime) throws IOException {
        boolean worldReadable = Files.getPosixFilePermissions(from).contains(PosixFilePermission.OTHERS_READ);
        if (worldReadable) {
            try {
                Files.createLink(to, from);
                return;
            } catch (FileAlreadyExistsException e) {
                return;
            } catch (IOException | UnsupportedOperationException e) {
                // another file system, or links not allowed: copy
            }
        }
        Path tmp = to.resolveSibling(to.getFileName() + ".prt-copy");
        Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setLastModifiedTime(tmp, mtime);
        Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void passable(Path dir) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
        if (!perms.containsAll(List.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE))) {
            perms.add(PosixFilePermission.OTHERS_READ);
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(dir, perms);
        }
    }
}
