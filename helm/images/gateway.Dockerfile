# The ingest gateway: its shaded jar on a JRE. Build from the repository root after
#   mvn -pl ingest-gateway -am package -DskipTests
#   docker build -f helm/images/gateway.Dockerfile -t ghcr.io/pr-telemetry/prt-gateway:0.1.0 .
FROM eclipse-temurin:17-jre
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin prt
COPY ingest-gateway/target/prt-gateway.jar /opt/prt/prt-gateway.jar
USER 10001
EXPOSE 8000
# JVM options come from JAVA_TOOL_OPTIONS (the chart's gateway.javaOpts)
ENTRYPOINT ["java", "-jar", "/opt/prt/prt-gateway.jar"]
