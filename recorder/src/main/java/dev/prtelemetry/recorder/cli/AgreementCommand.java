package dev.prtelemetry.recorder.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "agreement", hidden = true, description = "Krippendorff's alpha between judges (coming with the ensembles).")
final class AgreementCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return ExitCodes.USAGE;
    }
}
