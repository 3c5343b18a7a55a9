package dev.prtelemetry.schemas.integrity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a trace's chain stands after the events accepted so far: the next seq, the head,
 * every event hash (the Merkle leaves) and every event id with its seq (for note refs).
 * A plain mutable POJO so a streaming job can keep it as keyed state; {@link ChainRules}
 * holds the logic.
 */
public class ChainState {
    public String traceId;
    public long nextSeq;
    public String head;
    public List<String> hashes = new ArrayList<>();
    public Map<String, Long> seqById = new HashMap<>();

    public ChainState() {
    }

    public static ChainState start(String traceId) {
        ChainState s = new ChainState();
        s.traceId = traceId;
        s.nextSeq = 0;
        s.head = EventHasher.genesis(traceId);
        return s;
    }

    public String merkleRoot() {
        return Sha256.hex(MerkleTree.root(MerkleTree.leavesFromEventHashes(hashes)));
    }

    public ChainVerdict verdict() {
        return ChainVerdict.intact(hashes.size(), head, merkleRoot());
    }
}
