package dev.sentinelrelay;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

/** Every shipped route file parses on its own, as the relay and the route reload read it: a slip shows here first. */
class RoutesParseTest {

    static List<Path> routeFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("routeFiles")
    void parses(Path file) {
        CamelContext camel = new DefaultCamelContext();
        assertDoesNotThrow(() -> PluginHelper.getRoutesLoader(camel)
                .loadRoutes(ResourceHelper.resolveMandatoryResource(camel, "file:" + file)), file.toString());
    }
}
