# Build stage: compile and package the runnable jar (tests run in CI, not in the image build).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src src
RUN mvn -B -ntp -q package -DskipTests

# Runtime stage: a JRE, the jar, and the routes and configuration as files operators can replace.
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app relay && mkdir -p /app/data && chown relay /app/data
WORKDIR /app
COPY --from=build /src/target/sentinel-relay.jar /app/sentinel-relay.jar
# outside the config volume, so a mounted configuration without it still starts
COPY config/jvm.options /app/jvm.options
COPY routes /app/routes
COPY config /app/config
# Mount your own configuration and routes over these; the relay reads them at start-up.
VOLUME ["/app/config", "/app/routes"]
# Dead letters and the alert outbox (relay.data.dir): keep them across container restarts.
VOLUME ["/app/data"]
USER relay
# Inside a container the health API must listen beyond loopback to be reachable.
ENV RELAY_API_HOST=0.0.0.0 RELAY_DATA_DIR=/app/data
EXPOSE 8080
ENTRYPOINT ["java", "@/app/jvm.options", "-jar", "/app/sentinel-relay.jar"]
