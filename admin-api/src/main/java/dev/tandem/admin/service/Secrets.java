package dev.tandem.admin.service;

import dev.tandem.admin.config.AdminConfig;
import dev.tandem.protocol.config.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Relationship secrets sealed with the configured key ({@code tandem.admin.secret-key}). */
@ApplicationScoped
public class Secrets {

    private final Optional<SecretBox> box;

    public Secrets(AdminConfig config) {
        this.box = config.secretKey().filter(k -> !k.isBlank()).map(SecretBox::new);
    }

    public String seal(String secret) {
        return box.orElseThrow(() -> new ApiError(
                        422,
                        "No secret key",
                        "the admin API has no tandem.admin.secret-key to encrypt shared secrets with; configure one"
                                + " (base64 of 32 random bytes) or leave sharedSecret out"))
                .seal(secret);
    }

    public String open(String sealed) {
        return box.orElseThrow(() -> new IllegalStateException(
                        "a relationship has a shared secret but tandem.admin.secret-key is not configured"))
                .open(sealed);
    }

    /**
     * A configuration document as the outbox stores it: as it is, or, from before shared secrets were published sealed,
     * sealed whole.
     */
    public String reveal(String stored) {
        return stored.startsWith(SecretBox.PREFIX) ? open(stored) : stored;
    }
}
