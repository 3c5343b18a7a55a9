package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.ChainVerdict;
import dev.prtelemetry.schemas.integrity.MerkleTree;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * RFC 6962 / RFC 9162 Merkle tools in the style of transparency-log verifiers. Leaf i of a
 * trace is the 32 raw bytes of event i's hash; indexes are 0-based.
 */
@Command(name = "merkle", footer = {"", "Example:", "  prt merkle prove examples/dates-leap-day/trace.json 3"}, description = "RFC 6962 Merkle roots and proofs over trace events.",
        subcommands = {
            MerkleCommand.Root.class,
            MerkleCommand.Prove.class,
            MerkleCommand.ProveConsistency.class,
            MerkleCommand.CheckInclusion.class,
            MerkleCommand.CheckConsistency.class
        })
final class MerkleCommand implements Runnable {
    @ParentCommand
    PrtCommand root;
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "root", footer = {"", "Example:", "  printf '%s\\n' 00 01 | prt merkle root"}, description = "Reads leaves on stdin, one per line as hex of the leaf data (an empty line is an empty leaf), and prints the tree's root as hex. No input is the empty tree.")
    static final class Root implements Callable<Integer> {
        @ParentCommand
        MerkleCommand merkle;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<byte[]> leaves = new ArrayList<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(merkle.root.stdin(), StandardCharsets.UTF_8));
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                String hex = line.strip();
                try {
                    leaves.add(MerkleTree.leafHash(Sha256.unhex(hex)));
                } catch (IllegalArgumentException e) {
                    spec.commandLine().getErr().println("prt merkle root: line " + number + ": " + e.getMessage());
                    return ExitCodes.INVALID;
                }
            }
            spec.commandLine().getOut().println(Sha256.hex(MerkleTree.root(leaves)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "prove", footer = {"", "Example:", "  prt merkle prove examples/dates-leap-day/trace.json 3"}, description = "Prints, as JSON, the inclusion proof of the event with seq SEQ in a trace (a trace document or a folder of chunks), after checking the trace's chain. Check it with: prt merkle check-inclusion --index … --size … --leaf-hash … --root … --proof …")
    static final class Prove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        TraceSource source;

        @Parameters(index = "1", paramLabel = "SEQ")
        int seq;

        @Override
        public Integer call() throws Exception {
            Loaded trace = Loaded.load(source, spec.commandLine().getErr());
            if (trace == null) {
                return ExitCodes.INVALID;
            }
            if (seq < 0 || seq >= trace.leaves.size()) {
                spec.commandLine().getErr().println("prt merkle prove: seq " + seq + " is not in a trace of "
                        + trace.leaves.size() + " events");
                return ExitCodes.INVALID;
            }
            ObjectNode proof = StrictJson.mapper().createObjectNode();
            proof.put("trace_id", trace.input.traceId());
            proof.put("seq", seq);
            proof.put("event_id", trace.events.get(seq).path("id").asText());
            proof.put("event_hash", trace.events.get(seq).path("hash").asText());
            proof.put("leaf_index", seq);
            proof.put("tree_size", trace.leaves.size());
            proof.put("leaf_hash", Sha256.hex(trace.leaves.get(seq)));
            proof.put("root", trace.verdict.merkleRoot());
            var path = proof.putArray("proof");
            MerkleTree.inclusionProof(trace.leaves, seq).forEach(h -> path.add(Sha256.hex(h)));
            return printJson(spec, proof);
        }
    }

    @Command(name = "prove-consistency", footer = {"", "Example:", "  prt merkle prove-consistency examples/cart-discount/trace.json --size1 8"}, description = "Prints, as JSON, the proof that the trace's first SIZE1 events are a prefix of all of it (e.g. that a longer export extends a shorter one).")
    static final class ProveConsistency implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        TraceSource source;

        @Option(names = "--size1", required = true, description = "size of the earlier tree")
        int size1;

        @Override
        public Integer call() throws Exception {
            Loaded trace = Loaded.load(source, spec.commandLine().getErr());
            if (trace == null) {
                return ExitCodes.INVALID;
            }
            int size2 = trace.leaves.size();
            if (size1 < 0 || size1 > size2) {
                spec.commandLine().getErr().println("prt merkle prove-consistency: --size1 must be 0.." + size2);
                return ExitCodes.INVALID;
            }
            ObjectNode proof = StrictJson.mapper().createObjectNode();
            proof.put("trace_id", trace.input.traceId());
            proof.put("size1", size1);
            proof.put("size2", size2);
            proof.put("root1", Sha256.hex(MerkleTree.root(trace.leaves.subList(0, size1))));
            proof.put("root2", trace.verdict.merkleRoot());
            var path = proof.putArray("proof");
            MerkleTree.consistencyProof(trace.leaves, size1).forEach(h -> path.add(Sha256.hex(h)));
            return printJson(spec, proof);
        }
    }

    @Command(name = "check-inclusion", footer = {"", "Example:", "  prt merkle check-inclusion --index 3 --size 11 --leaf-hash HEX --root HEX --proof HEX,HEX"}, description = "Checks an RFC 9162 inclusion proof. Exits 0 if it is valid, 1 (with the reason) if not.")
    static final class CheckInclusion implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--index", required = true, description = "0-based leaf index")
        long index;
        @Option(names = "--size", required = true, description = "tree size")
        long size;
        @Option(names = "--leaf-hash", required = true, description = "the leaf's hash, SHA-256(0x00 || data), hex")
        String leafHash;
        @Option(names = "--root", required = true, description = "root hash, hex")
        String root;
        @Option(names = "--proof", description = "audit path, hex, comma-separated; leave out when empty")
        String proof;

        @Override
        public Integer call() {
            String reason;
            try {
                reason = MerkleTree.checkInclusion(index, size, hash32(leafHash, "--leaf-hash"), decode(proof),
                        hash32(root, "--root"));
            } catch (IllegalArgumentException e) {
                reason = e.getMessage();
            }
            return report(spec, reason, "inclusion proof");
        }
    }

    @Command(name = "check-consistency", footer = {"", "Example:", "  prt merkle check-consistency --size1 8 --size2 16 --root1 HEX --root2 HEX --proof HEX,HEX"}, description = "Checks an RFC 9162 consistency proof between tree sizes. Exits 0 if valid, 1 if not.")
    static final class CheckConsistency implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--size1", required = true)
        long size1;
        @Option(names = "--size2", required = true)
        long size2;
        @Option(names = "--root1", required = true)
        String root1;
        @Option(names = "--root2", required = true)
        String root2;
        @Option(names = "--proof", description = "proof, hex, comma-separated; leave out when empty")
        String proof;

        @Override
        public Integer call() {
            String reason;
            try {
                reason = MerkleTree.checkConsistency(size1, size2, hash32(root1, "--root1"), hash32(root2, "--root2"),
                        decode(proof));
            } catch (IllegalArgumentException e) {
                reason = e.getMessage();
            }
            return report(spec, reason, "consistency proof");
        }
    }

    private static int printJson(CommandSpec spec, JsonNode json) throws java.io.IOException {
        spec.commandLine().getOut().println(StrictJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        return ExitCodes.OK;
    }

    private static int report(CommandSpec spec, String reason, String what) {
        if (reason == null) {
            spec.commandLine().getOut().println("OK " + what + " is valid");
            return ExitCodes.OK;
        }
        spec.commandLine().getOut().println("FAIL " + what + ": " + reason);
        return ExitCodes.INVALID;
    }

    private static byte[] hash32(String hex, String option) {
        byte[] bytes = Sha256.unhex(hex.strip());
        if (bytes.length != 32) {
            throw new IllegalArgumentException(option + " must be 32 bytes (64 hex digits), got " + bytes.length);
        }
        return bytes;
    }

    /**
     * The proof's elements, each exactly 32 bytes: an empty element ({@code ,h1,h2}, {@code h1,h2,},
     * {@code h1,,h2}) is an error, never dropped — a proof of the wrong length must fail (RFC 9162's
     * verification algorithms reject it), and a silently shortened one could verify as another.
     */
    static List<byte[]> decode(String proof) {
        List<byte[]> out = new ArrayList<>();
        if (proof == null) {
            return out;
        }
        String[] parts = proof.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isBlank()) {
                throw new IllegalArgumentException("--proof element " + (i + 1) + " of " + parts.length + " is empty; every element "
                        + "is 32 bytes (64 hex digits), and an empty proof is given by leaving --proof out");
            }
            out.add(hash32(parts[i], "--proof element " + (i + 1)));
        }
        return out;
    }

    /** A trace whose chain checked out, with its events and Merkle leaves. */
    private record Loaded(TraceInput input, List<JsonNode> events, List<byte[]> leaves, ChainVerdict verdict) {
        static Loaded load(TraceSource source, PrintWriter err) {
            TraceInput input;
            try {
                input = source.load();
            } catch (TraceInput.BadInput e) {
                err.println("prt merkle: " + e.getMessage());
                return null;
            }
            ChainVerdict verdict = input.verifyChain();
            if (!verdict.intact()) {
                err.println("prt merkle: the trace does not verify, so no proof is given: " + verdict.summary());
                return null;
            }
            List<JsonNode> events = input.events();
            List<String> hashes = events.stream().map(e -> e.get("hash").textValue()).toList();
            return new Loaded(input, events, MerkleTree.leavesFromEventHashes(hashes), verdict);
        }
    }
}
