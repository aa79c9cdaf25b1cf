package io.infermesh.gateway.storage;

import io.infermesh.gateway.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The S3 client (the gateway's own address of S3) and the presigner (the browser's address of it). */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    @Bean(destroyMethod = "close")
    S3Client gatewayS3Client(GatewayProperties properties) {
        GatewayProperties.S3 config = properties.s3();
        var builder = S3Client.builder()
                .region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                .credentialsProvider(credentials(config));
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        return builder.build();
    }

    @Bean(destroyMethod = "close")
    S3Presigner gatewayS3Presigner(GatewayProperties properties) {
        GatewayProperties.S3 config = properties.s3();
        var builder = S3Presigner.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(config.pathStyle())
                        .build());
        if (config.publicEndpoint() != null) {
            builder.endpointOverride(config.publicEndpoint());
        }
        return builder.build();
    }

    @Bean
    Storage storage(S3Client gatewayS3Client, S3Presigner gatewayS3Presigner, GatewayProperties properties) {
        return new Storage(gatewayS3Client, gatewayS3Presigner, properties.bucket());
    }

    @Bean
    OwnedKeys ownedKeys(GatewayProperties properties) {
        return new OwnedKeys(properties.inboxPrefix(), properties.resultsPrefix());
    }

    private static AwsCredentialsProvider credentials(GatewayProperties.S3 config) {
        return config.hasKeys()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()))
                : DefaultCredentialsProvider.builder().build();
    }
}
