package org.vigil.core.internal.fence;

import java.util.Optional;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.api.fence.FenceMessageSigner;
import org.vigil.core.internal.ClusterService;

/**
 * The core's {@link FenceMessageSigner} service for fence agents and transports (the disk poison pill):
 * signs with this node's cluster key, which never leaves the core. Without a usable key nothing can be
 * signed ({@link IllegalStateException}) and nothing verifies.
 */
@Component(service = FenceMessageSigner.class)
public class FenceSignerService implements FenceMessageSigner {

    @Reference
    private ClusterService cluster;

    private FenceMessageSigner signer() {
        return cluster.fenceSigner().orElse(null);
    }

    @Override
    public String nodeName() {
        return cluster.nodeName();
    }

    @Override
    public byte[] sign(String recipient, byte[] body) {
        FenceMessageSigner s = signer();
        if (s == null) {
            throw new IllegalStateException("this node has no usable cluster key: nothing can be signed");
        }
        return s.sign(recipient, body);
    }

    @Override
    public Optional<FenceMessage> verify(byte[] message) {
        FenceMessageSigner s = signer();
        return s == null ? Optional.empty() : s.verify(message);
    }
}
