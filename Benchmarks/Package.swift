// swift-tools-version:6.1
// The kernels' benchmarks for ordo-one's `benchmark` runner, as a package of their own so that
// building or testing SoftmaxKit never fetches or compiles the runner:
//
//     cd Benchmarks && swift package -Xswiftc -target-cpu -Xswiftc native benchmark
//
// (`make benchmarks` from the repository root). Baselines: `swift package benchmark baseline
// update NAME`, then `swift package benchmark baseline compare NAME`.
import PackageDescription

let package = Package(
    name: "SoftmaxKitBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "SoftmaxKit", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Kernels",
            dependencies: [
                .product(name: "SoftmaxKit", package: "SoftmaxKit"),
                .product(name: "MatrixMultiply", package: "SoftmaxKit"),
                .product(name: "SoftmaxAttention", package: "SoftmaxKit"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Kernels",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
