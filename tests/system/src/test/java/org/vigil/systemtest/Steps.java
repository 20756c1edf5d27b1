package org.vigil.systemtest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The system tests' shared skeleton: a class whose steps ({@code @Order}) build on each other, as a user's
 * session does (start, crash, come back, switch over). A step runs only when every earlier step of its class
 * passed; otherwise it is skipped, naming the step that failed. When a step fails (or aborts), the class's
 * {@link Diagnostics} run at once, while its nodes still run, so the report holds their logs and status.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(Steps.Gate.class)
@interface Steps {

    /** Implemented by a {@link Steps} class that has something to print when a step fails. */
    interface Diagnostics {
        /**
         * Prints what helps to understand the failure (node logs, status). Runs after the step's
         * {@code @AfterEach} and before the class's {@code @AfterAll}; what it throws is ignored.
         *
         * @param step the display name of the step that failed
         */
        void stepFailed(String step);
    }

    /** Skips the steps after a failed one and runs the class's diagnostics when a step fails. */
    final class Gate implements ExecutionCondition, TestWatcher {

        private static final String FAILED = "failed step";

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().isEmpty()) {
                return ConditionEvaluationResult.enabled("a class runs its steps in order");
            }
            String failed = classStore(context).get(FAILED, String.class);
            return failed == null ? ConditionEvaluationResult.enabled("every earlier step passed")
                    : ConditionEvaluationResult.disabled("an earlier step failed: " + failed);
        }

        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            failed(context);
        }

        @Override
        public void testAborted(ExtensionContext context, Throwable cause) {
            failed(context);
        }

        private static void failed(ExtensionContext context) {
            ExtensionContext.Store store = classStore(context);
            if (store.get(FAILED) == null) {
                store.put(FAILED, context.getDisplayName());
            }
            Optional<Object> test = context.getTestInstance();
            if (test.isPresent() && test.get() instanceof Diagnostics d) {
                try {
                    d.stepFailed(context.getDisplayName());
                } catch (RuntimeException | AssertionError e) {
                    System.out.println("[steps] the diagnostics of " + context.getRequiredTestClass().getSimpleName()
                            + " failed too: " + e);
                }
            }
        }

        private static ExtensionContext.Store classStore(ExtensionContext context) {
            ExtensionContext classContext = context.getTestMethod().isPresent() ? context.getParent().orElseThrow() : context;
            return classContext.getStore(ExtensionContext.Namespace.create(Steps.class, context.getRequiredTestClass()));
        }
    }
}
