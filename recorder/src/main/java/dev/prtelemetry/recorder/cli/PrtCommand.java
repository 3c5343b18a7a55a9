package dev.prtelemetry.recorder.cli;

import java.io.InputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code prt}: the PR Telemetry command line. The recorder (start, run, note, status, finish,
 * sync, watch, login) and the offline tools for anyone checking traces — canonical JSON,
 * event hashes, chain and schema verification, Merkle proofs.
 *
 * <p>Exit codes: 0 success, 1 the input is invalid or a proof fails (the reason is printed),
 * 2 the command was used wrongly.
 */
@Command(name = "prt",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT, // -h/--help on every subcommand
        versionProvider = PrtCommand.Version.class,
        description = "PR Telemetry: record bug-fixing sessions and check traces.",
        footer = {"", "A session:",
            "  prt login --participant alice --researcher-token-file .prt-data/researcher.token",
            "  prt start --task BUG-1 --title \"Leap day is not a leap day\"",
            "  prt run -- pytest -q            # edits are recorded on save",
            "  prt note hypothesis \"…\" --ref last-test",
            "  git commit -am \"fix\"           # recorded by the hook",
            "  prt finish --outcome fixed"},
        subcommands = {
            StartCommand.class,
            RunCommand.class,
            NoteCommand.class,
            StatusCommand.class,
            DoctorCommand.class,
            FinishCommand.class,
            SyncCommand.class,
            WatchCommand.class,
            LoginCommand.class,
            HookCommand.class,
            JunitCommand.class,
            RedactCommand.class,
            CanonCommand.class,
            HashCommand.class,
            VerifyCommand.class,
            SchemaCommand.class,
            MerkleCommand.class,
            ImportCommand.class,
            CommandLine.HelpCommand.class
        })
public final class PrtCommand implements Runnable {
    /** Standard input, replaceable so tests can feed commands without a process. */
    private InputStream stdin = System.in;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(new PrtCommand()).execute(args));
    }

    public static CommandLine commandLine(PrtCommand root) {
        CommandLine cl = new CommandLine(root);
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            line.getErr().println("prt: " + ex.getMessage());
            return ExitCodes.INVALID;
        });
        return cl;
    }

    public PrtCommand withStdin(InputStream in) {
        this.stdin = in;
        return this;
    }

    InputStream stdin() {
        return stdin;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PrtCommand.class.getPackage().getImplementationVersion();
            return new String[] {"prt " + (v == null ? "(development build)" : v) + ", trace format v1"};
        }
    }
}
