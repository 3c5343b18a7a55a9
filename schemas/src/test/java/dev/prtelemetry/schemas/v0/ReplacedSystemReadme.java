package dev.prtelemetry.schemas.v0;

/**
 * The requests the replaced system's README documents ("API Reference"), as it writes them — whitespace, the
 * {@code 1696435200.0} and the placeholder values included — shared by the tests of every module that takes them.
 */
public final class ReplacedSystemReadme {
    /** "1. Create Trace". */
    public static final String CREATE = """
            {
              "participant_id": "user-123",
              "task_id": "BUG-456",
              "task_title": "Fix calculator bug",
              "repo_origin": "https://github.com/example/repo",
              "start_commit": "abc123"
            }""";

    /** "2. Ingest Events" (sent with Idempotency-Key: chunk-001). */
    public static final String CHUNK = """
            {
              "chunk_id": "chunk-001",
              "chunk_seq": 0,
              "events": [
                {
                  "id": "evt-001",
                  "seq": 0,
                  "ts_client_s": 1696435200.0,
                  "ts_server_s": 1696435200.0,
                  "type": "file_edit",
                  "file_path": "src/main.py",
                  "diff_unified": "...",
                  "buffer_hash_after": "sha256..."
                }
              ]
            }""";

    private ReplacedSystemReadme() {
    }
}
