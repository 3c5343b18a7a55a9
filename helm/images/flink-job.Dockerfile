# The trace assembly and QA job for the Flink Kubernetes Operator (application mode): Flink 2.2's
# image with the job jar in usrlib, where the FlinkDeployment's jarURI points. The namespace sandbox
# (QA test runs) needs bubblewrap and the languages the verified projects use. Build from the root:
#   mvn -pl flink-jobs -am package -DskipTests
#   docker build -f helm/images/flink-job.Dockerfile -t ghcr.io/pr-telemetry/prt-flink-jobs:0.1.0 .
FROM flink:2.2.0-java17
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap git python3 python3-pytest maven nodejs \
    && rm -rf /var/lib/apt/lists/*
COPY --chown=flink:flink flink-jobs/target/prt-flink-jobs.jar /opt/flink/usrlib/prt-flink-jobs.jar
