package dev.prtelemetry.recorder.cli;

import dev.prtelemetry.recorder.session.Credentials;
import dev.prtelemetry.recorder.session.GatewayClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "login", sortOptions = false,
        description = {"Saves the server and your participant token for later prt commands (mode 600, in "
                + "$PRT_CONFIG_HOME, $XDG_CONFIG_HOME/prt or ~/.config/prt). Give the token your researcher sent you, "
                + "or — as the researcher — issue one for a participant with your researcher token."},
        footer = {"", "Examples:", "  prt login --server https://prt.example.org --token eyJhbGciOi…",
            "  prt login --participant alice --researcher-token-file .prt-data/researcher.token   # local stack"})
final class LoginCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--server", defaultValue = Credentials.LOCAL_SERVER, paramLabel = "URL", description = "the gateway (default: ${DEFAULT-VALUE})")
    String server;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--token", description = "your participant token")
        String token;
        @ArgGroup(exclusive = false)
        Issue issue;
    }

    static final class Issue {
        @Option(names = "--participant", required = true, paramLabel = "ID", description = "issue a token for this participant")
        String participant;
        @Option(names = "--researcher-token-file", required = true, paramLabel = "FILE", description = "the researcher token to issue it with")
        Path researcherTokenFile;
    }

    @Override
    public Integer call() throws Exception {
        String token = source.token;
        if (token == null) {
            String researcher = Files.readString(source.issue.researcherTokenFile).strip();
            token = new GatewayClient(server).postJson("/v1/participants/" + source.issue.participant + "/tokens",
                    researcher, "{}", null).body().get("token").asText();
        }
        Credentials.saveLogin(System.getenv(), server, token);
        String who = Credentials.participantOf(token);
        spec.commandLine().getOut().println("prt: logged in to " + server + (who == null ? "" : " as participant " + who)
                + "; saved in " + Credentials.loginFile(System.getenv()));
        return ExitCodes.OK;
    }
}
