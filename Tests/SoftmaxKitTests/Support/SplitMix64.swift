import SoftmaxKit

/// The tests' seeded generator: SoftmaxKit's own SplitMix64 with Box–Muller normals, so every
/// test input is reproducible (the same stream the tests always drew).
typealias SplitMix64 = SeededGenerator
