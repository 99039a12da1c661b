package dev.tandem.coordinator.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class StatusResourceTest {

    @Test
    void startsAndAnswersStatusHealthAndOpenApi() {
        given().get("/api/v1/status").then().statusCode(200).body("$", notNullValue());
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/openapi?format=json").then().statusCode(200).body("paths.'/api/v1/status'", notNullValue());
    }
}
