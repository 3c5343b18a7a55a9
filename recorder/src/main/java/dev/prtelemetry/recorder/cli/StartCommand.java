package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.recorder.session.Artifacts;
import dev.prtelemetry.recorder.session.Background;
import dev.prtelemetry.recorder.session.Credentials;
import dev.prtelemetry.recorder.session.Git;
import dev.prtelemetry.recorder.session.Hooks;
import dev.prtelemetry.recorder.session.Recorder;
import dev.prtelemetry.recorder.session.Workspace;
import dev.prtelemetry.recorder.session.WorkingTree;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "start", sortOptions = false,
        description = {"Starts recording a bug-fixing session in this git repository: creates the trace on the "
                + "server (queued while offline), uploads the start state (a git bundle), installs a post-commit "
                + "hook, and starts the on-save watcher and the background uploader. State lives in .prt/ (ignored by git).",
            "The working tree must be clean (commit or stash first): the trace starts at HEAD."},
        footer = {"", "Example:", "  prt start --task BUG-142 --title \"Leap day is not a leap day\" --test-command \"pytest -q\""})
final class StartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--task", required = true, paramLabel = "ID", description = "the task (bug) id")
    String task;
    @Option(names = "--title", required = true, description = "the task's title")
    String title;
    @Option(names = "--description", description = "what is wrong, as the developer was told")
    String description;
    @Option(names = "--test-command", paramLabel = "CMD", description = "how the tests of this repository are run")
    String testCommand;
    @Option(names = "--test-framework", paramLabel = "NAME", description = "the test framework, when it cannot be told from the command (pytest, junit, go, jest, mocha)")
    String testFramework;
    @Option(names = "--participant", paramLabel = "ID", description = "the participant (default: the one your participant token names)")
    String participant;
    @Option(names = "--consent", split = ",", paramLabel = "SCOPE", defaultValue = "training,evaluation",
            description = "what this trace may be used for: training, evaluation, publication (default: ${DEFAULT-VALUE})")
    List<String> consent;
    @Option(names = "--server", paramLabel = "URL", description = "the gateway (default: PRT_URL, prt login, else " + Credentials.LOCAL_SERVER + ")")
    String server;
    @Option(names = "--token", description = "your participant token (default: PRT_TOKEN, else what prt login saved)")
    String token;
    @Option(names = "--no-watch", description = "do not start the on-save watcher (edits are still picked up at each prt run, note, commit and finish)")
    boolean noWatch;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> env = System.getenv();
        Workspace ws = Workspace.around(Path.of(System.getProperty("user.dir")));
        Git git = new Git(ws.repoRoot());
        if (Files.exists(ws.session())) {
            ObjectNode old = (ObjectNode) StrictJson.parse(Files.readAllBytes(ws.session()));
            if (!old.path("finished").asBoolean(false)) {
                err.println("prt start: a session is already recording here (trace " + old.path("trace_id").asText()
                        + "); finish it with prt finish");
                return ExitCodes.USAGE;
            }
            archive(ws, old.path("trace_id").asText());
        }
        Git.Result head = git.run("rev-parse", "--verify", "HEAD");
        if (head.exit() != 0) {
            err.println("prt start: this repository has no commit yet; commit the starting state first");
            return ExitCodes.USAGE;
        }
        String startCommit = head.text().strip();
        excludePrtFolder(git);
        String dirty = git.text("status", "--porcelain", "--untracked-files=no");
        if (!dirty.isBlank()) {
            err.println("prt start: the working tree has uncommitted changes; commit or stash them first "
                    + "(the trace starts at HEAD):\n" + dirty.stripTrailing());
            return ExitCodes.USAGE;
        }
        for (String scope : consent) {
            if (dev.prtelemetry.schemas.model.Consent.Scope.of(scope).isEmpty()) {
                err.println("prt start: --consent scopes are " + dev.prtelemetry.schemas.model.Consent.Scope.listed()
                        + "; not '" + scope + "'");
                return ExitCodes.USAGE;
            }
        }
        Credentials creds = Credentials.resolve(server, token, null, env);
        if (creds.token() == null && Credentials.LOCAL_SERVER.equals(creds.server()) && env.get("PRT_LOCAL_STACK_DATA") != null) {
            creds = localStackLogin(creds, Path.of(env.get("PRT_LOCAL_STACK_DATA")), env, out, err);
        }
        String participantId = participant != null ? participant : Credentials.participantOf(creds.token());
        if (participantId == null) {
            err.println("prt start: who is recording? Pass --participant ID, or log in with a participant token (prt login)");
            return ExitCodes.USAGE;
        }

        ws.create();
        String traceId = UUID.randomUUID().toString();
        String snapshotRef = snapshot(ws, git);
        ObjectNode create = StrictJson.mapper().createObjectNode();
        create.put("trace_id", traceId);
        create.put("participant_id", participantId);
        create.put("task_id", task);
        create.put("task_title", title);
        if (description != null) {
            create.put("task_description", description);
        }
        create.put("repo_origin", origin(git, ws));
        create.put("start_commit", startCommit);
        create.put("started_at", System.currentTimeMillis() / 1000.0);
        ObjectNode environment = environment(testCommand);
        if (testFramework != null) {
            environment.put("test_framework", testFramework);
        }
        create.set("environment", environment);
        ObjectNode c = create.putObject("consent");
        c.put("granted", true);
        var scopes = c.putArray("scopes");
        consent.forEach(scopes::add);
        c.put("text_version", "prt-consent-v1");
        if (snapshotRef != null) {
            create.put("start_snapshot_ref", snapshotRef);
        }
        ObjectNode state = StrictJson.mapper().createObjectNode();
        state.put("trace_id", traceId);
        state.put("server", creds.server());
        state.put("participant_id", participantId);
        state.put("task_id", task);
        state.put("start_commit", startCommit);
        state.put("started_at", System.currentTimeMillis() / 1000.0);
        state.put("finished", false);
        state.set("create_request", create);
        new Credentials(creds.server(), creds.token()).saveFor(ws);
        int untracked;
        try (Recorder rec = Recorder.create(ws, state)) {
            WorkingTree.initShadow(ws);
            untracked = WorkingTree.scan(rec, 0);
        }
        Hooks.installPostCommit(ws);
        if (!noWatch) {
            long pid = Background.spawn(ws.repoRoot(), ws.watchLog(), env, "watch");
            if (pid > 0) {
                Files.writeString(ws.watchPid(), Long.toString(pid));
            }
        }
        Background.upload(ws, env);
        out.println("prt: recording trace " + traceId + " (task " + task + ", participant " + participantId + ")");
        out.println("prt: consent: " + String.join(", ", consent) + " (prt-consent-v1); start " + startCommit.substring(0, 12)
                + (snapshotRef == null ? "" : ", snapshot " + snapshotRef.substring(Artifacts.PREFIX.length(), Artifacts.PREFIX.length() + 12)));
        if (untracked > 0) {
            out.println("prt: " + untracked + " untracked file(s) recorded as new files");
        }
        out.println("prt: server " + creds.server() + (creds.token() == null ? " — no credential yet: run prt login; events wait in .prt/" : ""));
        out.println("prt: now work as usual; run commands with `prt run -- CMD`, think aloud with `prt note hypothesis \"…\"`, end with `prt finish`");
        return ExitCodes.OK;
    }

    /**
     * Against this repository's own local stack (the ./prt launcher says where its data is),
     * the credential defaults to a participant token issued with the stack's researcher token.
     */
    private Credentials localStackLogin(Credentials creds, Path data, Map<String, String> env, PrintWriter out, PrintWriter err)
            throws IOException {
        Path researcherToken = data.resolve("researcher.token");
        if (!Files.isReadable(researcherToken)) {
            return creds;
        }
        String who = participant != null ? participant : System.getProperty("user.name", "developer");
        try {
            String issued = new dev.prtelemetry.recorder.session.GatewayClient(creds.server())
                    .postJson("/v1/participants/" + who + "/tokens", Files.readString(researcherToken).strip(), "{}", null)
                    .body().get("token").asText();
            Credentials.saveLogin(env, creds.server(), issued);
            out.println("prt: logged in to the local stack as participant " + who);
            return new Credentials(creds.server(), issued);
        } catch (dev.prtelemetry.recorder.session.GatewayClient.CallFailed e) {
            err.println("prt start: no credential, and the local stack could not issue one (" + e.getMessage()
                    + "); recording anyway — start the stack (./prt up) or run prt login, then prt sync");
            if (participant == null) {
                participant = who;
            }
            return creds;
        }
    }

    /** A finished session's files move to .prt/history/<trace id>/ so a new one starts clean. */
    static void archive(Workspace ws, String traceId) throws IOException {
        Path dest = ws.dir().resolve("history").resolve(traceId);
        Files.createDirectories(dest);
        try (var s = Files.list(ws.dir())) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals("history") && !p.getFileName().toString().equals("lock")) {
                    Files.move(p, dest.resolve(p.getFileName()));
                }
            }
        }
    }

    /** Adds .prt/ to .git/info/exclude (the repository's own .gitignore is left alone). */
    static void excludePrtFolder(Git git) throws IOException {
        Path exclude = git.root().resolve(git.text("rev-parse", "--git-path", "info/exclude").strip());
        Files.createDirectories(exclude.getParent());
        String current = Files.exists(exclude) ? Files.readString(exclude) : "";
        if (!current.lines().anyMatch(l -> l.strip().equals(".prt/") || l.strip().equals("/.prt/"))) {
            Files.writeString(exclude, (current.isEmpty() || current.endsWith("\n") ? current : current + "\n")
                    + "# prt session state\n/.prt/\n");
        }
    }

    /** The start state as a git bundle of HEAD, stored as an artifact; null when git cannot make one. */
    static String snapshot(Workspace ws, Git git) throws IOException {
        Path bundle = ws.tmp().resolve("start.bundle");
        Git.Result r = git.run("bundle", "create", bundle.toString(), "HEAD");
        if (r.exit() != 0 || !Files.exists(bundle)) {
            return null;
        }
        return Artifacts.adopt(ws, bundle);
    }

    /** The origin remote without credentials; a local name when there is none. */
    static String origin(Git git, Workspace ws) throws IOException {
        Git.Result r = git.run("remote", "get-url", "origin");
        if (r.exit() == 0 && !r.text().isBlank()) {
            return r.text().strip().replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
        }
        return "local:" + ws.repoRoot().getFileName();
    }

    static ObjectNode environment(String testCommand) {
        ObjectNode e = StrictJson.mapper().createObjectNode();
        e.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        e.put("arch", System.getProperty("os.arch"));
        ObjectNode runtimes = e.putObject("runtimes");
        runtimes.put("java", System.getProperty("java.version"));
        for (String[] probe : new String[][] {{"python", "python3", "--version"}, {"node", "node", "--version"},
                {"go", "go", "version"}, {"git", "git", "--version"}}) {
            String v = probe(probe[1], probe[2]);
            if (v != null) {
                runtimes.put(probe[0], v.length() > 128 ? v.substring(0, 128) : v);
            }
        }
        if (testCommand != null) {
            e.put("test_command", testCommand);
        }
        String shell = System.getenv("SHELL");
        if (shell != null) {
            e.put("shell", shell);
        }
        String version = PrtCommand.class.getPackage().getImplementationVersion();
        e.put("recorder_version", version == null ? "dev" : version);
        return e;
    }

    private static String probe(String command, String arg) {
        try {
            Process p = new ProcessBuilder(command, arg).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 && !s.isEmpty() ? s.lines().findFirst().orElse(s) : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }
}
