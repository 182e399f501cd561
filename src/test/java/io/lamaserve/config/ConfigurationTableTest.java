package io.lamaserve.config;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configuration tables users read against {@link LamaConfig}, the one place settings and their defaults are
 * declared: the README's table lists every property with its default, and any table in {@code docs/} whose second
 * column is the default agrees with it for the properties it lists.
 */
class ConfigurationTableTest {

    /** One table row of a property: its name, the default column as written, and the file and line it is on. */
    record Row(String property, String defaultCell, String where) {
    }

    private static final Pattern CODE = Pattern.compile("`([^`]*)`");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}]+)}");

    @Test
    void readmeListsEveryPropertyWithItsDefault() throws IOException {
        Map<String, Optional<String>> declared = declared();
        List<Row> rows = rows(Path.of("README.md"));
        List<String> listed = rows.stream().map(Row::property).toList();
        assertEquals(new TreeSet<>(declared.keySet()), new TreeSet<>(listed),
                "README.md's configuration table and LamaConfig name different properties");
        assertEquals(listed.size(), new TreeSet<>(listed).size(), "a property is listed twice: " + listed);
        rows.forEach(row -> assertDefault(row, declared.get(row.property())));
    }

    @Test
    void docsTablesAgreeWithTheDefaults() throws IOException {
        Map<String, Optional<String>> declared = declared();
        List<Row> rows = new ArrayList<>();
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            for (Path doc : docs.filter(file -> file.toString().endsWith(".md")).sorted().toList()) {
                rows.addAll(rows(doc));
            }
        }
        assertTrue(rows.size() > 10, "the docs' configuration tables were not found: " + rows);
        for (Row row : rows) {
            assertTrue(declared.containsKey(row.property()), row.where() + ": no property " + row.property());
            assertDefault(row, declared.get(row.property()));
        }
    }

    @Test
    void theComparisonRejectsWrongDefaultsAndReadsDefaultsAsSmallRyeDoes() {
        assertDefault(new Row("lama.batching.max-queue", "`64`", "here"), Optional.of("64"));
        assertRejected(new Row("lama.batching.max-queue", "`32`", "here"), Optional.of("64"));
        assertRejected(new Row("lama.model.path", "`model.onnx`", "here"), Optional.empty());
        assertDefault(new Row("lama.model.sha256", "`1faef530…68d6`", "here"), Optional.of("1faef5301d78d68d6"));
        assertRejected(new Row("lama.model.sha256", "`1faef530…68d7`", "here"), Optional.of("1faef5301d78d68d6"));
        assertDefault(new Row("lama.batching.cost-table-dir", "`<lama.model.cache-dir>/cost-tables`", "here"),
                Optional.of("${lama.model.cache-dir}/cost-tables"));
        Map<String, Optional<String>> declared = declared();
        assertEquals(Optional.of("0.5"), declared.get("lama.batching.shared-gpu-min-fraction"));
        assertEquals(Optional.of("${user.home}/.cache/lama-serve"), declared.get("lama.model.cache-dir"));
        assertEquals(Optional.empty(), declared.get("lama.tensorrt.batch-sizes"));
    }

    private static void assertRejected(Row row, Optional<String> declared) {
        boolean rejected;
        try {
            assertDefault(row, declared);
            rejected = false;
        } catch (AssertionError expected) {
            rejected = true;
        }
        assertTrue(rejected, "the comparison let " + row + " through");
    }

    /**
     * A property with a default shows it in code quotes: literally (enums in lower case), with {@code ${user.home}}
     * as {@code ~} and other {@code ${property}} references as {@code <property>}, or a long value shortened to its
     * first and last characters around "…". A property without a default shows no quoted value.
     */
    private static void assertDefault(Row row, Optional<String> declared) {
        List<String> quoted = new ArrayList<>();
        Matcher code = CODE.matcher(row.defaultCell());
        while (code.find()) {
            quoted.add(code.group(1));
        }
        if (declared.isEmpty()) {
            assertTrue(quoted.isEmpty(), row.where() + ": " + row.property() + " has no default, the table shows "
                    + row.defaultCell());
            return;
        }
        String expected = EXPRESSION.matcher(declared.get().replace("${user.home}", "~")).replaceAll("<$1>");
        assertTrue(quoted.stream().anyMatch(shown -> shows(shown, expected)), row.where() + ": " + row.property()
                + " defaults to " + expected + ", the table shows " + row.defaultCell());
    }

    private static boolean shows(String shown, String expected) {
        int ellipsis = shown.indexOf('…');
        if (ellipsis < 0) {
            return shown.equalsIgnoreCase(expected);
        }
        String head = shown.substring(0, ellipsis);
        String tail = shown.substring(ellipsis + 1);
        return head.length() >= 4 && tail.length() >= 4 && expected.startsWith(head) && expected.endsWith(tail);
    }

    /** The rows naming a {@code lama.} property in the tables of {@code file} whose second column is the default. */
    private static List<Row> rows(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        boolean defaultsTable = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.startsWith("|")) {
                defaultsTable = false;
                continue;
            }
            String[] cells = Arrays.stream(line.substring(1).split("\\|")).map(String::strip).toArray(String[]::new);
            if (cells.length < 2) {
                continue;
            }
            if (i + 1 < lines.size() && lines.get(i + 1).strip().startsWith("|---")) {
                defaultsTable = cells[1].equalsIgnoreCase("default");
            } else if (defaultsTable && cells[0].startsWith("`lama.")) {
                rows.add(new Row(cells[0].replace("`", ""), cells[1], file + ":" + (i + 1)));
            }
        }
        return rows;
    }

    /** Every property {@link LamaConfig} declares, by its full name, with its default when it has one. */
    static Map<String, Optional<String>> declared() {
        Map<String, Optional<String>> properties = new LinkedHashMap<>();
        collect(LamaConfig.class, "lama", properties);
        return properties;
    }

    private static void collect(Class<?> group, String prefix, Map<String, Optional<String>> properties) {
        for (Method method : group.getDeclaredMethods()) {
            if (Modifier.isStatic(method.getModifiers()) || method.isDefault() || method.isSynthetic()) {
                continue;
            }
            WithName rename = method.getAnnotation(WithName.class);
            String name = prefix + "." + (rename != null ? rename.value() : kebab(method.getName()));
            Class<?> type = method.getReturnType();
            if (type.isInterface() && type.getName().startsWith(LamaConfig.class.getName() + "$")) {
                collect(type, name, properties);
            } else {
                WithDefault fallback = method.getAnnotation(WithDefault.class);
                properties.put(name, Optional.ofNullable(fallback).map(WithDefault::value));
            }
        }
    }

    /** {@code maxBodyBytes} → {@code max-body-bytes}, as SmallRye names mapped properties. */
    private static String kebab(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
