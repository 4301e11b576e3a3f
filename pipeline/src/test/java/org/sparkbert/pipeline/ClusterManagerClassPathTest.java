package org.sparkbert.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.spark.scheduler.ExternalClusterManager;
import org.apache.xbean.asm9.ClassReader;
import org.apache.xbean.asm9.ClassVisitor;
import org.apache.xbean.asm9.MethodVisitor;
import org.apache.xbean.asm9.Opcodes;
import org.apache.xbean.asm9.Type;
import org.junit.jupiter.api.Test;

/**
 * The launcher runs {@code k8s://} masters (and {@code yarn} in a build with the 'yarn' profile): its
 * class path (pipeline/target/deps/spark, this module's provided scope, which is also on this test's
 * class path) holds Spark's Kubernetes module, and every call it makes into the rest of Spark
 * resolves. The second matters because the module is not at Spark's own version (see the root pom): a
 * mismatched one loads fine and fails at its first call into Spark with a NoSuchMethodError.
 *
 * <p>The default build has no YARN module (the Maven repository this project is built from serves no
 * spark-yarn at Spark 4.1; scripts/pretrain then refuses {@code --master yarn}, saying to build with
 * -Pyarn): the tests check that the class path holds exactly what the build was told to put there
 * (the system property {@code sparkbert.yarn}, true under -Pyarn), and check the calls of each module it holds.
 */
class ClusterManagerClassPathTest {
    // What SparkSubmit loads for each master (its YARN_CLUSTER_SUBMIT_CLASS and KUBERNETES_CLUSTER_SUBMIT_CLASS).
    private static final String YARN_SUBMIT = "org.apache.spark.deploy.yarn.YarnClusterApplication";
    private static final String KUBERNETES_SUBMIT = "org.apache.spark.deploy.k8s.submit.KubernetesClientApplication";
    private static final String KUBERNETES_MASTER = "k8s://https://127.0.0.1:6443";

    /** Whether this build was made with -Pyarn (evaluate/pom.xml sets the property for the tests). */
    private static boolean yarnBuild() {
        String value = System.getProperty("sparkbert.yarn");
        if (value == null)
            throw new IllegalStateException("the system property sparkbert.yarn is unset: run the tests through Maven");
        return Boolean.parseBoolean(value);
    }

    private static boolean onClassPath(String name) {
        try {
            Class.forName(name, false, ClusterManagerClassPathTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    void theClassPathHoldsTheClusterManagersOfThisBuild() {
        assertTrue(onClassPath(KUBERNETES_SUBMIT), KUBERNETES_SUBMIT);
        assertEquals(
                yarnBuild(),
                onClassPath(YARN_SUBMIT),
                "Spark's YARN module is on the class path exactly in a -Pyarn build (sparkbert.yarn=" + yarnBuild()
                        + ")");
        List<String> expected = yarnBuild() ? List.of(KUBERNETES_MASTER, "yarn") : List.of(KUBERNETES_MASTER);
        List<String> masters = new ArrayList<>();
        for (ExternalClusterManager manager : ServiceLoader.load(ExternalClusterManager.class)) {
            for (String master : List.of("yarn", KUBERNETES_MASTER)) {
                if (manager.canCreate(master)) masters.add(master);
            }
        }
        assertEquals(expected, masters.stream().sorted().toList());
    }

    @Test
    void everyCallOfTheClusterModulesIntoSparkResolves() throws Exception {
        List<String> modules = yarnBuild() ? List.of(KUBERNETES_SUBMIT, YARN_SUBMIT) : List.of(KUBERNETES_SUBMIT);
        for (String submitClass : modules) assertCallsResolve(submitClass);
    }

    private void assertCallsResolve(String submitClass) throws Exception {
        Path jar = Path.of(Class.forName(submitClass, false, getClass().getClassLoader())
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        List<String> missing = new ArrayList<>();
        int checked = 0;
        try (JarFile file = new JarFile(jar.toFile())) {
            TreeSet<String> own = new TreeSet<>();
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.endsWith(".class")) own.add(name.substring(0, name.length() - ".class".length()));
            }
            for (String name : own) {
                try (InputStream in = file.getInputStream(file.getJarEntry(name + ".class"))) {
                    checked += checkCalls(in, own, missing);
                }
            }
        }
        assertTrue(checked > 100, "found the module's calls into Spark: " + checked);
        assertEquals(List.of(), missing.stream().distinct().sorted().toList(), jar.getFileName() + " calls into Spark");
    }

    /** Resolves every method and field that a class of the module uses on Spark's own classes; returns how many. */
    private int checkCalls(InputStream classFile, TreeSet<String> own, List<String> missing) throws IOException {
        int[] count = {0};
        new ClassReader(classFile)
                .accept(
                        new ClassVisitor(Opcodes.ASM9) {
                            @Override
                            public MethodVisitor visitMethod(
                                    int access, String name, String descriptor, String signature, String[] exceptions) {
                                return new MethodVisitor(Opcodes.ASM9) {
                                    @Override
                                    public void visitMethodInsn(
                                            int opcode, String owner, String member, String desc, boolean isInterface) {
                                        check(owner, member, desc, true);
                                    }

                                    @Override
                                    public void visitFieldInsn(int opcode, String owner, String member, String desc) {
                                        check(owner, member, desc, false);
                                    }

                                    private void check(String owner, String member, String desc, boolean method) {
                                        if (!owner.startsWith("org/apache/spark/") || own.contains(owner)) return;
                                        count[0]++;
                                        String what = owner.replace('/', '.') + "." + member + desc;
                                        try {
                                            Class<?> type = Class.forName(
                                                    owner.replace('/', '.'),
                                                    false,
                                                    getClass().getClassLoader());
                                            if (!(method
                                                    ? hasMethod(type, member, desc)
                                                    : hasField(type, member, desc))) missing.add(what);
                                        } catch (ClassNotFoundException | LinkageError e) {
                                            missing.add(what + " (" + e + ")");
                                        }
                                    }
                                };
                            }
                        },
                        ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return count[0];
    }

    private static boolean hasMethod(Class<?> type, String name, String descriptor) {
        if (type == null) return false;
        if (name.equals("<init>")) {
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (Type.getConstructorDescriptor(c).equals(descriptor)) return true;
            }
            return false;
        }
        for (Method m : type.getDeclaredMethods()) {
            if (m.getName().equals(name) && Type.getMethodDescriptor(m).equals(descriptor)) return true;
        }
        for (Class<?> i : type.getInterfaces()) {
            if (hasMethod(i, name, descriptor)) return true;
        }
        return hasMethod(type.getSuperclass(), name, descriptor)
                || (type.isInterface() && hasMethod(Object.class, name, descriptor));
    }

    private static boolean hasField(Class<?> type, String name, String descriptor) {
        if (type == null) return false;
        for (Field f : type.getDeclaredFields()) {
            if (f.getName().equals(name) && Type.getDescriptor(f.getType()).equals(descriptor)) return true;
        }
        for (Class<?> i : type.getInterfaces()) {
            if (hasField(i, name, descriptor)) return true;
        }
        return hasField(type.getSuperclass(), name, descriptor);
    }
}
