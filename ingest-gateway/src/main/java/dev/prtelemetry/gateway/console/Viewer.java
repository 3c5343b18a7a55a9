package dev.prtelemetry.gateway.console;

/** Who is signed in to the console: a researcher (sees everything) or one participant (sees only their own traces). */
record Viewer(String participant) {
    static final Viewer RESEARCHER = new Viewer(null);

    boolean isResearcher() {
        return participant == null;
    }

    String subject() {
        return isResearcher() ? "researcher" : "participant:" + participant;
    }

    static Viewer ofSubject(String subject) {
        if ("researcher".equals(subject)) {
            return RESEARCHER;
        }
        if (subject != null && subject.startsWith("participant:") && subject.length() > "participant:".length()) {
            return new Viewer(subject.substring("participant:".length()));
        }
        return null;
    }

    boolean maySee(String traceParticipant) {
        return isResearcher() || participant.equals(traceParticipant);
    }
}
