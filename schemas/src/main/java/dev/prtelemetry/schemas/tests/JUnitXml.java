package dev.prtelemetry.schemas.tests;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads JUnit XML test reports (pytest {@code --junitxml}, Maven Surefire, Gradle, jest-junit,
 * go-junit-report): {@code <testsuites>} or a single {@code <testsuite>}, each
 * {@code <testcase>} with an optional {@code <failure>}, {@code <error>} or {@code <skipped>}.
 * The recorder and the QA operators use this one parser, so a test's outcome means the same
 * thing in a trace and in its verification. DTDs and external entities are refused.
 */
public final class JUnitXml {
    private JUnitXml() {
    }

    public enum Outcome {
        PASSED, FAILED, ERROR, SKIPPED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One test case; {@code message} is the failure's or error's message (may be null). */
    public record Case(String name, String classname, String file, Outcome outcome, Double durationS, String message) {
        /** A stable id for grading: {@code classname::name} (or {@code file::name}). */
        public String id() {
            String scope = classname != null && !classname.isEmpty() ? classname : file;
            return scope == null || scope.isEmpty() ? name : scope + "::" + name;
        }
    }

    /**
     * A parsed report: every test once, in document order (its graded outcome), the number of
     * {@code <testcase>} elements the document holds (as other report tools count them), and for
     * each test reported more than once the outcomes of its elements in order.
     */
    public record Report(List<Case> cases, int testcaseElements, java.util.Map<String, List<Outcome>> repeated) {
        /** How a test reported more than once is graded. */
        public static final String REPEAT_RULE = "error over failure over skipped over passed (the worst of its results)";

        public Report(List<Case> cases) {
            this(cases, cases.size(), java.util.Map.of());
        }

        public long count(Outcome o) {
            return cases.stream().filter(c -> c.outcome() == o).count();
        }

        public Report merge(Report other) {
            List<Case> all = new ArrayList<>(cases);
            all.addAll(other.cases);
            java.util.Map<String, List<Outcome>> rep = new java.util.LinkedHashMap<>(repeated);
            rep.putAll(other.repeated);
            return new Report(List.copyOf(all), testcaseElements + other.testcaseElements, java.util.Map.copyOf(rep));
        }
    }

    /** Thrown for a document that is not a JUnit XML report. */
    public static final class NotAReport extends Exception {
        private static final long serialVersionUID = 1L;

        public NotAReport(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static Report parse(byte[] xml) throws NotAReport {
        Document doc;
        try {
            DocumentBuilder b = builder();
            b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // fatal errors are thrown, not printed
            doc = b.parse(new ByteArrayInputStream(xml));
        } catch (SAXException | IOException e) {
            throw new NotAReport("not a readable XML document: " + e.getMessage(), e);
        }
        Element root = doc.getDocumentElement();
        if (!"testsuites".equals(root.getTagName()) && !"testsuite".equals(root.getTagName())) {
            throw new NotAReport("the root element is <" + root.getTagName() + ">, not <testsuites> or <testsuite>", null);
        }
        // A case may appear more than once (reruns, suites listed twice) and may carry several
        // results: it counts once, error over failure over skipped over passed.
        java.util.LinkedHashMap<String, Case> cases = new java.util.LinkedHashMap<>();
        java.util.Map<String, List<Outcome>> outcomes = new java.util.LinkedHashMap<>();
        NodeList testcases = root.getElementsByTagName("testcase");
        for (int i = 0; i < testcases.getLength(); i++) {
            Element tc = (Element) testcases.item(i);
            Outcome outcome = Outcome.PASSED;
            String message = null;
            for (Node child = tc.getFirstChild(); child != null; child = child.getNextSibling()) {
                if (!(child instanceof Element e)) {
                    continue;
                }
                Outcome o = switch (e.getTagName()) {
                    case "failure" -> Outcome.FAILED;
                    case "error" -> Outcome.ERROR;
                    case "skipped" -> Outcome.SKIPPED;
                    default -> null;
                };
                if (o != null && rank(o) > rank(outcome)) {
                    outcome = o;
                    message = e.hasAttribute("message") ? e.getAttribute("message") : firstLine(e.getTextContent());
                }
            }
            String name = tc.getAttribute("name").isEmpty() ? "(unnamed " + (i + 1) + ")" : tc.getAttribute("name");
            Case c = new Case(name, emptyToNull(tc.getAttribute("classname")),
                    emptyToNull(tc.getAttribute("file")), outcome, seconds(tc.getAttribute("time")), emptyToNull(message));
            cases.merge(c.id(), c, (a, b) -> rank(b.outcome()) > rank(a.outcome()) ? b : a);
            outcomes.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(outcome);
        }
        java.util.Map<String, List<Outcome>> repeated = new java.util.LinkedHashMap<>();
        outcomes.forEach((id, o) -> {
            if (o.size() > 1) {
                repeated.put(id, List.copyOf(o));
            }
        });
        return new Report(List.copyOf(cases.values()), testcases.getLength(), java.util.Collections.unmodifiableMap(repeated));
    }

    /** Precedence of results for one case: error over failure over skipped over passed. */
    static int rank(Outcome o) {
        return switch (o) {
            case PASSED -> 0;
            case SKIPPED -> 1;
            case FAILED -> 2;
            case ERROR -> 3;
        };
    }

    /** Reads a file; a file that cannot be read or parsed is a {@link NotAReport} naming it. */
    public static Report parse(java.nio.file.Path file) throws NotAReport {
        try {
            return parse(java.nio.file.Files.readAllBytes(file));
        } catch (IOException e) {
            throw new NotAReport("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static DocumentBuilder builder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            return f.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Double seconds(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            double d = Double.parseDouble(s.replace(",", ""));
            return d >= 0 && Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
