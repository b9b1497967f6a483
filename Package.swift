// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Tokenkit",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Tokenkit", targets: ["Tokenkit"]),
        .library(name: "TokenkitTraining", targets: ["TokenkitTraining"]),
        .library(name: "TokenkitEvaluation", targets: ["TokenkitEvaluation"]),
        .executable(name: "tokenkit", targets: ["TokenkitCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
    ],
    targets: [
        .target(name: "CTokenkitSupport"),
        .target(
            name: "Tokenkit",
            dependencies: ["CTokenkitSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Formats/SentencePiece/sentencepiece_model.proto"],
            resources: [.copy("Resources/Encodings")]
        ),
        .target(
            name: "TokenkitTraining",
            dependencies: ["Tokenkit", "CTokenkitSupport"],
            resources: [.copy("Resources/nmt_nfkc.charsmap")]
        ),
        .target(
            name: "TokenkitEvaluation",
            dependencies: ["Tokenkit"]
        ),
        .executableTarget(
            name: "TokenkitCLI",
            dependencies: [
                "Tokenkit",
                "TokenkitTraining",
                "TokenkitEvaluation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/tokenkit"
        ),
        .testTarget(
            name: "TokenkitTests",
            dependencies: ["Tokenkit", "TokenkitTraining", "TokenkitEvaluation", "TokenkitCLI"],
            exclude: ["Fixtures"]
        ),
    ]
)
