package dev.cronhook.builder;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    private final com.tngtech.archunit.core.domain.JavaClasses builder = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.cronhook.builder");

    @Test
    void onlyTheConfigPackageKnowsSpring() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.cronhook.builder.config..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.springframework..")
                .check(builder);
    }

    @Test
    void npmAndImageBuildingKnowNothingOfTheQueue() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.cronhook.builder.npm..", "dev.cronhook.builder.image..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.cronhook.core.queue..", "io.lettuce..", "dev.cronhook.builder.worker..")
                .check(builder);
    }
}
