import _SoftmaxShims

/// What the processor can do and what this build uses: the vendor, family and model, and the
/// vector features that decide which kernels are fast (FMA, AVX2, AVX-512F), each as the CPU
/// reports it (cpuid, with the OS's register-state check) and as this build was compiled.
///
/// Kernels are specialized at compile time (`-Xswiftc -target-cpu -Xswiftc native`); a build
/// for baseline x86-64 runs on every CPU but uses none of these. `buildAdvice` says when the two
/// differ in a way that costs speed.
public struct CPUFeatures: Sendable, Equatable, Codable {
    /// The cpuid vendor string (`GenuineIntel`, `AuthenticAMD`), empty off x86.
    public var vendor: String
    /// The display family and model (family 25 model 1: AMD Zen 3), 0 off x86.
    public var family: Int, model: Int
    /// What the CPU and OS support.
    public var fma: Bool, avx2: Bool, avx512f: Bool
    /// What this build's code was compiled to use.
    public var buildFMA: Bool, buildAVX2: Bool, buildAVX512F: Bool

    enum CodingKeys: String, CodingKey {
        case vendor, family, model, fma, avx2, avx512f, buildFMA = "build_fma", buildAVX2 = "build_avx2", buildAVX512F = "build_avx512f"
    }

    /// Features as given (tests).
    public init(
        vendor: String, family: Int, model: Int, fma: Bool, avx2: Bool, avx512f: Bool, buildFMA: Bool, buildAVX2: Bool,
        buildAVX512F: Bool
    ) {
        (self.vendor, self.family, self.model) = (vendor, family, model)
        (self.fma, self.avx2, self.avx512f) = (fma, avx2, avx512f)
        (self.buildFMA, self.buildAVX2, self.buildAVX512F) = (buildFMA, buildAVX2, buildAVX512F)
    }

    /// This process's CPU and build, read once.
    public static let current: CPUFeatures = {
        var r: [UInt32] = [0, 0, 0, 0]
        var vendor = "", family = 0, model = 0, fma = false, avx2 = false, avx512f = false
        if sk_cpuid(0, 0, &r) != 0 {
            let highest = r[0]
            vendor = String(decoding: [r[1], r[3], r[2]].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }, as: UTF8.self)
            if highest >= 1, sk_cpuid(1, 0, &r) != 0 {
                let eax = Int(r[0]), base = (eax >> 8) & 0xF
                family = base == 0xF ? base + ((eax >> 20) & 0xFF) : base
                model = base == 0x6 || base == 0xF ? (((eax >> 16) & 0xF) << 4) | ((eax >> 4) & 0xF) : (eax >> 4) & 0xF
                let ymm = sk_os_saves_vector_state(0) != 0
                fma = ymm && r[2] & (1 << 12) != 0
                if highest >= 7, sk_cpuid(7, 0, &r) != 0 {
                    avx2 = ymm && r[1] & (1 << 5) != 0
                    avx512f = sk_os_saves_vector_state(1) != 0 && r[1] & (1 << 16) != 0
                }
            }
        }
        let build = sk_build_vector_features()
        return CPUFeatures(
            vendor: vendor, family: family, model: model, fma: fma, avx2: avx2, avx512f: avx512f, buildFMA: build & 1 != 0,
            buildAVX2: build & 2 != 0, buildAVX512F: build & 4 != 0)
    }()

    /// One line for a user when the CPU has vector features this build does not use (a build
    /// without `-target-cpu`: the kernels are then several times slower), else nil.
    public var buildAdvice: String? {
        let unused = [(fma && !buildFMA, "FMA"), (avx2 && !buildAVX2, "AVX2"), (avx512f && !buildAVX512F, "AVX-512")].filter(\.0).map(\.1)
        guard !unused.isEmpty else { return nil }
        return "this CPU has \(unused.joined(separator: ", ")) but this build does not use it; "
            + "build with -Xswiftc -target-cpu -Xswiftc native for the fast kernels"
    }
}
