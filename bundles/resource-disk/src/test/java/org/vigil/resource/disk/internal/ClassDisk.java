package org.vigil.resource.disk.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real disk for a whole test class ({@code @ExtendWith(ClassDisk.class)}): a 32 MiB {@link LoopDisk} with ext4
 * leaving the reservation area free, put into the class's static {@code LoopDisk} field marked {@link Shared} before
 * its first test. The class is skipped with the reason when the machine cannot make one (not root, a tool missing),
 * or fails with CI=true. Before each test the disk is unmounted everywhere and its reservation record cleared (a test
 * starts from a disk no node holds); after the last it is removed, also when a test failed.
 */
final class ClassDisk implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    /** Marks the static field that receives the disk. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface Shared {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Field f = field(context);
        LoopDisk.assumeUsable("losetup", "mkfs.ext4", "e2fsck", "mount", "umount");
        f.set(null, LoopDisk.create(32, true));
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        LoopDisk disk = (LoopDisk) field(context).get(null);
        disk.unmountAll();
        disk.clearReservation();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Field f = field(context);
        LoopDisk disk = (LoopDisk) f.get(null);
        if (disk != null) {
            disk.close();
            f.set(null, null);
        }
    }

    private static Field field(ExtensionContext context) {
        for (Field f : context.getRequiredTestClass().getDeclaredFields()) {
            if (f.isAnnotationPresent(Shared.class)) {
                if (!Modifier.isStatic(f.getModifiers()) || f.getType() != LoopDisk.class) {
                    throw new IllegalStateException("@ClassDisk.Shared must mark a static LoopDisk field: " + f);
                }
                f.setAccessible(true);
                return f;
            }
        }
        throw new IllegalStateException(context.getRequiredTestClass().getName()
                + " has no static LoopDisk field marked @ClassDisk.Shared");
    }
}
