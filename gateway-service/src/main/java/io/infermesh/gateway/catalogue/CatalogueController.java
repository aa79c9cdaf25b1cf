package io.infermesh.gateway.catalogue;

import io.infermesh.gateway.GatewayProperties;
import io.infermesh.gateway.web.Problems;
import java.nio.file.Path;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/models} and each model's example input. */
@RestController
class CatalogueController {

    private final Catalogue catalogue;

    CatalogueController(Catalogue catalogue) {
        this.catalogue = catalogue;
    }

    @GetMapping("/api/models")
    List<Catalogue.Model> models() {
        return catalogue.models();
    }

    @GetMapping("/api/models/{name}/example")
    ResponseEntity<Resource> example(@PathVariable String name) {
        if (catalogue.find(name).isEmpty()) {
            throw Problems.of(HttpStatus.NOT_FOUND, "Unknown model", "There is no model named '" + name + "'");
        }
        Path file = catalogue
                .exampleFile(name)
                .orElseThrow(() ->
                        Problems.of(HttpStatus.NOT_FOUND, "No example", "Model '" + name + "' has no example input"));
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(Catalogue.contentType(file)))
                .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment()
                                .filename(file.getFileName().toString())
                                .build()
                                .toString())
                .body(new FileSystemResource(file));
    }

    @Configuration(proxyBeanMethods = false)
    static class Cards {

        @Bean
        Catalogue catalogue(GatewayProperties properties) {
            return Catalogue.load(properties.modelsDir());
        }
    }
}
