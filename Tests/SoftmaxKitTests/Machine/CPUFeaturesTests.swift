import Testing

@testable import SoftmaxKit

/// The CPU's features as cpuid reports them, the build's as compiled, and the advice that joins
/// the two.
@Suite struct CPUFeaturesTests {
    func features(cpu: (Bool, Bool, Bool), build: (Bool, Bool, Bool)) -> CPUFeatures {
        CPUFeatures(
            vendor: "AuthenticAMD", family: 25, model: 1, fma: cpu.0, avx2: cpu.1, avx512f: cpu.2, buildFMA: build.0,
            buildAVX2: build.1, buildAVX512F: build.2)
    }

    @Test func adviceOnlyWhenTheBuildLeavesFeaturesUnused() throws {
        #expect(features(cpu: (true, true, false), build: (true, true, false)).buildAdvice == nil)
        #expect(features(cpu: (false, false, false), build: (false, false, false)).buildAdvice == nil)
        let baseline = try #require(features(cpu: (true, true, true), build: (false, false, false)).buildAdvice)
        #expect(baseline.contains("FMA, AVX2, AVX-512") && baseline.contains("-target-cpu"))
        let avx2Build = try #require(features(cpu: (true, true, true), build: (true, true, false)).buildAdvice)
        #expect(avx2Build.contains("AVX-512") && !avx2Build.contains("AVX2"))
    }

    /// This process: a build never uses what the CPU lacks (it would not have started), and an
    /// x86 CPU names its vendor.
    @Test func thisProcess() {
        let c = CPUFeatures.current
        #expect(!c.buildFMA || c.fma || c.vendor.isEmpty)
        #expect(!c.buildAVX2 || c.avx2 || c.vendor.isEmpty)
        #expect(!c.buildAVX512F || c.avx512f || c.vendor.isEmpty)
        #if arch(x86_64)
        #expect(["GenuineIntel", "AuthenticAMD"].contains(c.vendor) || c.vendor.count == 12)
        #expect(c.family >= 6)
        #endif
    }
}
