#!/usr/bin/env bash
# Regenerates Sources/Tokenkit/Formats/SentencePiece/sentencepiece_model.pb.swift
# from sentencepiece_model.proto (next to it, copied unchanged from
# google/sentencepiece src/sentencepiece_model.proto, Apache-2.0).
#
# The generated file is committed: building the protobuf plugin takes minutes,
# so neither `swift build` nor CI runs this. Run it only when the .proto changes.
#
# Needs:
#   - protoc (Debian: apt-get install -y protobuf-compiler; generated with libprotoc 3.21.12)
#   - protoc-gen-swift of the same swift-protobuf version as Package.swift resolves
#     (generated with 1.39.0). Build it once in a scratch directory:
#       git clone https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#       git -C /tmp/swift-protobuf checkout 1.39.0
#       (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
#     and pass its path as PROTOC_GEN_SWIFT (default: /tmp/swift-protobuf/.build/release/protoc-gen-swift).
#
# usage: scripts/generate_sentencepiece_proto.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/Sources/Tokenkit/Formats/SentencePiece"
plugin="${PROTOC_GEN_SWIFT:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}"

if [ ! -x "$plugin" ]; then
    echo "protoc-gen-swift not found at $plugin (set PROTOC_GEN_SWIFT)" >&2
    exit 1
fi

# Internal visibility: the generated types are an implementation detail of the reader.
protoc \
    --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$dir" \
    --swift_out="$dir" \
    --swift_opt=Visibility=Internal \
    --swift_opt=FileNaming=DropPath \
    sentencepiece_model.proto

echo "wrote $dir/sentencepiece_model.pb.swift"
