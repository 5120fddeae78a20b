package dev.sentinelrelay.ops;

import dev.sentinelrelay.support.Failures;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.FileFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Applies edits of the route files while the relay runs ({@code relay.routes.reload=true}), without the risk of
 * Camel's own reload: with its defaults one broken file removes every route until a restart. Here a changed file is
 * first parsed on its own, in a throwaway Camel context; a file that does not parse, or that defines route templates
 * (instantiated once at start-up, per sentinel and per master), is refused with one log line and nothing changes.
 * A file that parses replaces the routes of the same ids, and only those (existing routes are never all removed);
 * if starting them fails, the file's last working version is put back, so every route keeps running.
 *
 * <p>A Kubernetes ConfigMap mounted as the routes directory is updated by the kubelet with a symlink swap: the files
 * are links into {@code ..data}, itself a link to a timestamped directory that is replaced by renaming
 * {@code ..data_tmp} over it. The files' own links never change, so no event names them; an event on one of those
 * {@code ..} entries makes every route file be read again, and the ones that changed are applied as above.
 */
public final class SafeRouteReload extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(SafeRouteReload.class);

    private final Path directory;
    /** file -> its last version that was applied (or loaded at start-up). */
    private final Map<Path, String> working = new ConcurrentHashMap<>();

    public SafeRouteReload(Path directory, String pattern) {
        super(directory.toString(), false);
        this.directory = directory.toAbsolutePath().normalize();
        setPattern(pattern);
        setRemoveAllRoutes(false);
    }

    @Override
    protected void doStart() throws Exception {
        for (Path file : routeFiles()) {
            working.put(file, Files.readString(file, StandardCharsets.UTF_8));
        }
        super.doStart();
        FileFilter routes = getFileFilter();
        setFileFilter(file -> routes.accept(file) || swapped(file));
    }

    /** The directory's regular files (links followed) that match the pattern. */
    private List<Path> routeFiles() throws IOException {
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + getPattern());
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> matcher.matches(f.getFileName()) && Files.isRegularFile(f))
                    .map(f -> f.toAbsolutePath().normalize()).sorted().toList();
        }
    }

    /** An event on the kubelet's {@code ..data} swap: every route file read again; false (nothing else to do). */
    private boolean swapped(File file) {
        if (!file.getName().startsWith("..")) {
            return false;
        }
        try {
            for (Path route : routeFiles()) {
                reload(ResourceHelper.fromString("file:" + route, Files.readString(route, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            LOG.warn("route reload: cannot read {} after its files were swapped: {}", directory, e.getMessage());
        }
        return false;
    }

    @Override
    protected String startupMessage(java.io.File dir) {
        return "route hot-reload on: edits of " + dir + "/" + getPattern() + " are checked, then applied";
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        if (resources == null) {
            return; // properties reloads: not supported, the configuration is read at start-up
        }
        for (Resource resource : resources) {
            reload(resource);
        }
    }

    private void reload(Resource resource) {
        Path file = Path.of(resource.getURI().getSchemeSpecificPart()).toAbsolutePath().normalize();
        if (!Files.exists(file)) {
            LOG.warn("route file deleted: {}: its routes keep running until the relay restarts", file);
            return;
        }
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("route reload refused: {}: cannot read it ({}); every running route keeps running", file, e.getMessage());
            return;
        }
        if (content.equals(working.get(file))) {
            return;
        }
        String problem = check(resource);
        if (problem != null) {
            LOG.error("route reload refused: {}: {}; every running route keeps running", file, problem);
            return;
        }
        // Camel's own reload (super) would retry a refused file with every later edit of another file: not used
        try {
            Set<String> ids = PluginHelper.getRoutesLoader(getCamelContext()).updateRoutes(List.of(resource));
            working.put(file, content);
            LOG.info("route reload applied: {} (routes {})", file, ids);
        } catch (Exception e) {
            String previous = working.get(file);
            if (previous == null) {
                LOG.error("route reload refused: {}: {}; a new file, so nothing to put back", file, oneLine(e));
                return;
            }
            // put back first, then say so: once the line is in the log, the routes run again
            try {
                PluginHelper.getRoutesLoader(getCamelContext())
                        .updateRoutes(List.of(ResourceHelper.fromString(resource.getLocation(), previous)));
                LOG.error("route reload refused: {}: {}; its last working version is put back", file, oneLine(e));
            } catch (Exception again) {
                LOG.error("route reload refused: {}: {}; putting back its last working version failed too: {}", file,
                        oneLine(e), oneLine(again));
            }
        }
    }

    /** Parses the file in a throwaway context: null when it may be applied, otherwise why not. */
    private String check(Resource resource) {
        CamelContext running = getCamelContext();
        // never started, so nothing to stop (stopping it would log three lines per check)
        DefaultCamelContext scratch = new DefaultCamelContext(false);
        try {
            Properties properties = running.getPropertiesComponent().loadProperties();
            scratch.getPropertiesComponent().setInitialProperties(properties);
            scratch.build();
            Resource copy = ResourceHelper.fromBytes(resource.getLocation(), readAll(resource));
            Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(scratch).findRoutesBuilders(copy);
            for (RoutesBuilder builder : builders) {
                scratch.addRoutes(builder);
            }
            Model model = scratch.getCamelContextExtension().getContextPlugin(Model.class);
            if (!model.getRouteTemplateDefinitions().isEmpty()) {
                return "it defines route templates, which are instantiated at start-up only: restart the relay to apply it";
            }
            return null;
        } catch (Exception e) {
            return oneLine(e);
        }
    }

    private static byte[] readAll(Resource resource) throws IOException {
        try (InputStream in = resource.getInputStream()) {
            return in.readAllBytes();
        }
    }

    /** The deepest cause's message on one line: what is wrong, where. */
    static String oneLine(Throwable failure) {
        Throwable t = Failures.root(failure);
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
