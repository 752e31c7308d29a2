package dev.cronhook.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keeps the module table of DESIGN.md true: who may depend on whom, and core free of Spring. */
class ArchitectureTest {
    /** Each module's package and the modules it may use (DESIGN.md, "Modules"). */
    private static final Map<String, Set<String>> MAY_USE = Map.of(
            "core", Set.of(),
            "api", Set.of("core"),
            "builder", Set.of("core"),
            "executor", Set.of("core"),
            "tryout", Set.of("core", "builder", "executor"),
            "web", Set.of("core", "api"),
            "app", Set.of("core", "api", "builder", "executor", "tryout", "web"));

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.cronhook");
    }

    @Test
    void coreKnowsNoSpring() {
        noClasses()
                .that()
                .resideInAPackage("dev.cronhook.core..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "reactor..")
                .check(classes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"core", "api", "builder", "executor", "tryout", "web", "app"})
    void moduleUsesOnlyTheModulesItsRowAllows(String module) {
        var forbidden = MAY_USE.keySet().stream()
                .filter(other -> !other.equals(module) && !MAY_USE.get(module).contains(other))
                .map(other -> "dev.cronhook." + other + "..")
                .toArray(String[]::new);
        noClasses()
                .that()
                .resideInAPackage("dev.cronhook." + module + "..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(forbidden)
                .allowEmptyShould(true)
                .check(classes);
    }

    /** Redis is an adapter (DESIGN.md, "A run's life behind ports"): lettuce only in redis packages and wiring. */
    @Test
    void onlyRedisAdaptersAndConfigurationKnowLettuce() {
        noClasses()
                .that()
                .resideInAPackage("dev.cronhook..")
                .and()
                .resideOutsideOfPackages("..redis..", "..config..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.lettuce..")
                .check(classes);
    }

    @Test
    void noClassIsNamedImplManagerHelperOrUtil() {
        noClasses()
                .that()
                .resideInAPackage("dev.cronhook..")
                .should()
                .haveSimpleNameEndingWith("Impl")
                .orShould()
                .haveSimpleNameEndingWith("Manager")
                .orShould()
                .haveSimpleNameEndingWith("Helper")
                .orShould()
                .haveSimpleNameEndingWith("Util")
                .orShould()
                .haveSimpleNameEndingWith("Utils")
                .check(classes);
    }
}
