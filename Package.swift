// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "SoftmaxKit",
    // Apple platforms from the releases whose Swift has `Float16` on Apple silicon (Float16
    // storage, .npy and safetensors half precision); Intel Macs have no `Float16` and are not
    // supported. Linux on x86-64 and arm64 needs nothing.
    platforms: [.macOS(.v13), .iOS(.v16), .tvOS(.v16), .watchOS(.v9), .visionOS(.v1)],
    products: [
        .library(name: "SoftmaxKit", targets: ["SoftmaxKit"]),
        .library(name: "MatrixMultiply", targets: ["MatrixMultiply"]),
        .library(name: "SoftmaxAttention", targets: ["SoftmaxAttention"]),
        .library(name: "SoftmaxModels", targets: ["SoftmaxModels"]),
        .library(name: "SoftmaxNumPy", targets: ["SoftmaxNumPy"]),
        .library(name: "SoftmaxLab", targets: ["SoftmaxLab"]),
        .executable(name: "softmaxkit", targets: ["softmaxkit"]),
        // The C library (libSoftmaxKitC) behind Sources/CSoftmaxKit/include/softmaxkit.h and the Python package.
        .library(name: "SoftmaxKitC", type: .dynamic, targets: ["SoftmaxKitC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // `swift package generate-documentation`: the DocC catalogs (Sources/*/*.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Public products.
        .target(name: "SoftmaxKit", dependencies: ["_SoftmaxShims"]),
        // The packed single-precision matrix multiply that attention, the models and the lab share.
        .target(name: "MatrixMultiply", dependencies: ["SoftmaxKit", "_SoftmaxShims"]),
        .target(name: "SoftmaxAttention", dependencies: ["SoftmaxKit", "MatrixMultiply", "_SoftmaxShims"]),
        .target(name: "SoftmaxModels", dependencies: ["SoftmaxKit", "MatrixMultiply", "SoftmaxAttention"]),
        .target(name: "SoftmaxNumPy", dependencies: ["SoftmaxKit"]),
        .target(name: "SoftmaxLab", dependencies: ["SoftmaxKit", "MatrixMultiply", "SoftmaxAttention", "SoftmaxModels", "SoftmaxNumPy"]),
        .executableTarget(
            name: "softmaxkit",
            dependencies: [
                "SoftmaxKit", "MatrixMultiply", "SoftmaxAttention", "SoftmaxModels", "SoftmaxNumPy", "SoftmaxLab",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // The C interface: the header and its C parts, and the Swift functions behind it.
        .target(name: "CSoftmaxKit"),
        .target(name: "SoftmaxKitC", dependencies: ["CSoftmaxKit", "SoftmaxKit", "SoftmaxAttention"]),

        // Implementation details.
        .target(name: "_SoftmaxShims"),

        // Tests.
        .testTarget(
            name: "SoftmaxKitTests",
            dependencies: ["SoftmaxKit", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "MatrixMultiplyTests", dependencies: ["MatrixMultiply"]),
        .testTarget(name: "SoftmaxAttentionTests", dependencies: ["SoftmaxAttention"]),
        .testTarget(name: "SoftmaxModelsTests", dependencies: ["SoftmaxModels"], exclude: ["Resources"]),
        .testTarget(name: "SoftmaxNumPyTests", dependencies: ["SoftmaxNumPy"]),
        .testTarget(name: "SoftmaxLabTests", dependencies: ["SoftmaxLab"]),
        .testTarget(name: "softmaxkitTests", dependencies: ["softmaxkit", "SoftmaxLab", "SoftmaxNumPy"]),
    ]
)
