package org.vigil.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import javax.inject.Inject;

import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.vigil.api.resource.ResourceType;

/**
 * A resource type is its own feature and comes and goes at runtime: uninstalling
 * vigil-resource-process removes the "process" ResourceType service, installing it brings it back,
 * without touching the rest of the node.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ResourceTypeHotDeployIT extends VigilTestSupport {

    private static final String FEATURE = "vigil-resource-process";
    private static final String TYPE = "process";

    /** Don't refresh other bundles (the core, the API) on install/uninstall: that is the point. */
    private static final EnumSet<FeaturesService.Option> NO_REFRESH =
            EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles);

    @Inject
    @Filter(timeout = 120_000)
    protected BootFinished bootFinished;

    @Inject
    protected FeaturesService featuresService;

    @Test
    public void processTypeLeavesWithItsFeatureAndComesBack() throws Exception {
        waitFor(() -> "resource type '" + TYPE + "' registered; types seen: " + typesRegistered(), WAIT,
                () -> typesRegistered().contains(TYPE));
        Bundle core = vigilBundle("vigil-core");
        long coreId = core.getBundleId();

        featuresService.uninstallFeature(FEATURE, NO_REFRESH);

        assertFalse(FEATURE + " installed after uninstall",
                featuresService.isInstalled(featuresService.getFeature(FEATURE)));
        waitFor(() -> "resource type '" + TYPE + "' gone; types seen: " + typesRegistered(), WAIT,
                () -> !typesRegistered().contains(TYPE));
        assertNull("vigil-resource-process bundle after uninstall", vigilBundle("vigil-resource-process"));
        assertCoreUntouched(coreId);

        featuresService.installFeature(FEATURE, NO_REFRESH);

        assertTrue(FEATURE + " installed after install",
                featuresService.isInstalled(featuresService.getFeature(FEATURE)));
        waitFor(() -> "resource type '" + TYPE + "' back; types seen: " + typesRegistered(), WAIT,
                () -> typesRegistered().contains(TYPE));
        assertEquals("vigil-resource-process state", Bundle.ACTIVE, vigilBundle("vigil-resource-process").getState());
        assertCoreUntouched(coreId);
    }

    private void assertCoreUntouched(long coreId) {
        Bundle core = vigilBundle("vigil-core");
        assertEquals("vigil-core is the same bundle", coreId, core.getBundleId());
        assertEquals("vigil-core state", "Active", stateName(core.getState()));
    }

    /** @return the type identifiers of the ResourceType services registered now */
    private List<String> typesRegistered() {
        List<String> types = new ArrayList<>();
        try {
            for (ServiceReference<ResourceType> ref : bundleContext.getServiceReferences(ResourceType.class, null)) {
                ResourceType type = bundleContext.getService(ref);
                if (type == null) {
                    continue; // unregistered meanwhile
                }
                try {
                    types.add(type.describe().type());
                } finally {
                    bundleContext.ungetService(ref);
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return types;
    }
}
