import Foundation
import Testing

@testable import SoftmaxModels

/// The GGUF reader: metadata of every type, tensors of every readable type dequantized by the block
/// formulas, and every malformed file refused with the file and the key or tensor named.
@Suite struct GGUFFileTests {
    static let folder: String = {
        let path = NSTemporaryDirectory() + "softmaxkit-gguf-tests-\(getpid())"
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            preconditionFailure("cannot create the test folder \(path): \(error)")
        }
        return path
    }()

    func write(_ writer: GGUFWriter, _ name: String) throws -> String {
        let path = Self.folder + "/" + name + ".gguf"
        try writer.write(to: path)
        return path
    }

    /// Random block bytes with valid half-precision scales (finite, moderate).
    static func blocks(_ count: Int, bytesPerBlock: Int, scales: Int, seed: UInt64) -> [UInt8] {
        var g = SplitMix(seed)
        var out: [UInt8] = []
        for _ in 0..<count {
            for _ in 0..<scales { out += GGUFWriter.le(Float16(Float(g.unit() * 2 - 1) * 0.25).bitPattern) }
            for _ in 0..<(bytesPerBlock - 2 * scales) { out.append(UInt8(truncatingIfNeeded: g.next())) }
        }
        return out
    }

    struct SplitMix {
        var state: UInt64
        init(_ seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
    }

    @Test func readsMetadataOfEveryTypeAndTensorsOfEveryReadableType() throws {
        var w = GGUFWriter()
        w.metadata = [
            ("general.architecture", .string("llama")), ("u8", .u8(200)), ("i8", .i8(-3)), ("u16", .u16(65535)), ("i16", .i16(-300)),
            ("u32", .u32(4_000_000_000)), ("i32", .i32(-7)), ("f32", .f32(1e-5)), ("flag", .bool(true)), ("u64", .u64(1 << 40)),
            ("i64", .i64(-(1 << 40))), ("f64", .f64(100_000)), ("names", .array(8, [.string("a"), .string("Ġb")])),
            ("nested", .array(9, [.array(5, [.i32(1), .i32(2)])])),
        ]
        let q40 = Self.blocks(3, bytesPerBlock: 18, scales: 1, seed: 1)
        let q41 = Self.blocks(3, bytesPerBlock: 20, scales: 2, seed: 2)
        let q80 = Self.blocks(2, bytesPerBlock: 34, scales: 1, seed: 3)
        let f32: [Float] = [1, -2.5, .infinity, 3e38]
        let f16: [Float16] = [1, -0.5, 65504, 0x1p-24]
        let bf16: [UInt16] = [0x3F80, 0xC000, 0x7F80, 0x0001]
        w.tensors = [
            .init(name: "q4_0", dimensions: [32, 3], type: 2, data: q40),
            .init(name: "q4_1", dimensions: [96], type: 3, data: q41),
            .init(name: "q8_0", dimensions: [64, 1], type: 8, data: q80),
            .init(name: "f32", dimensions: [2, 2], type: 0, data: f32.flatMap { GGUFWriter.le($0.bitPattern) }),
            .init(name: "f16", dimensions: [4], type: 1, data: f16.flatMap { GGUFWriter.le($0.bitPattern) }),
            .init(name: "bf16", dimensions: [4], type: 30, data: bf16.flatMap { GGUFWriter.le($0) }),
        ]
        let file = try GGUFFile(path: try write(w, "valid"))
        #expect(try file.string("general.architecture") == "llama")
        #expect(try file.integer("u8") == 200 && file.integer("i8") == -3 && file.integer("u16") == 65535 && file.integer("i16") == -300)
        #expect(try file.integer("u32") == 4_000_000_000 && file.integer("i32") == -7 && file.integer("u64") == 1 << 40)
        #expect(try file.integer("i64") == -(1 << 40) && file.real("f64") == 100_000 && file.real("f32") == Double(Float(1e-5)))
        #expect(try file.value("flag") == .bool(true) && file.strings("names") == ["a", "Ġb"])
        #expect(try file.value("nested") == .array([.array([.int(1), .int(2)])]))
        #expect(file.tensorNames == ["q4_0", "q4_1", "q8_0", "f32", "f16", "bf16"])

        func half(_ bytes: [UInt8], _ at: Int) -> Double { Double(Float16(bitPattern: UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8)) }
        var expected: [Double] = []
        for b in 0..<3 {
            let d = half(q40, 18 * b)
            let qs = q40[(18 * b + 2)..<(18 * b + 18)]
            expected += qs.map { (Double(Int($0 & 15)) - 8) * d } + qs.map { (Double(Int($0 >> 4)) - 8) * d }
        }
        #expect(try file.floats("q4_0", dimensions: [32, 3]).map(Double.init) == expected)
        expected = []
        for b in 0..<3 {
            let d = half(q41, 20 * b), m = half(q41, 20 * b + 2)
            let qs = q41[(20 * b + 4)..<(20 * b + 20)]
            expected += qs.map { Double(Float(Double($0 & 15) * d) + Float(m)) } + qs.map { Double(Float(Double($0 >> 4) * d) + Float(m)) }
        }
        #expect(try file.floats("q4_1", dimensions: [96]).map(Double.init) == expected)
        expected = []
        for b in 0..<2 {
            let d = half(q80, 34 * b)
            expected += q80[(34 * b + 2)..<(34 * b + 34)].map { Double(Int8(bitPattern: $0)) * d }
        }
        #expect(try file.floats("q8_0", dimensions: [64, 1]).map(Double.init) == expected)
        #expect(try file.floats("f32", dimensions: [2, 2]) == f32)
        #expect(try file.floats("f16", dimensions: [4]) == f16.map(Float.init))
        #expect(try file.floats("bf16", dimensions: [4]) == [1, -2, .infinity, Float(bitPattern: 0x0001_0000)])
    }

    /// Every half-precision bit pattern widens to the Float `Float16` gives (NaNs stay NaN).
    @Test func halfPrecisionWidensExactly() {
        for bits in 0...UInt16.max {
            let mine = GGUFDequantize.floatFromHalf(bits), reference = Float(Float16(bitPattern: bits))
            #expect(mine.bitPattern == reference.bitPattern || (mine.isNaN && reference.isNaN), "\(bits)")
        }
    }

    @Test func shapesAndTypesAreCheckedWhenRead() throws {
        var w = GGUFWriter()
        w.tensors = [
            .init(name: "w", dimensions: [32, 2], type: 8, data: Self.blocks(2, bytesPerBlock: 34, scales: 1, seed: 4)),
            .init(name: "k", dimensions: [256], type: 12, data: [UInt8](repeating: 0, count: 144)),
        ]
        let file = try GGUFFile(path: try write(w, "shapes"))
        #expect(throws: GGUFError.invalid(file: file.path, key: "w", "dimensions [32, 2], expected [2, 32]")) {
            try file.floats("w", dimensions: [2, 32])
        }
        #expect(throws: GGUFError.invalid(file: file.path, key: "k", "type Q4_K is not read (F32, F16, BF16, Q4_0, Q4_1 and Q8_0 are)")) {
            try file.floats("k", dimensions: [256])
        }
        #expect(throws: GGUFError.invalid(file: file.path, key: "missing", "no such tensor in the file")) {
            try file.floats("missing", dimensions: [1])
        }
        #expect(throws: GGUFError.invalid(file: file.path, key: "general.name", "missing from the metadata")) { try file.string("general.name") }
    }

    /// Each way a file can break gives its own error naming the file and the part at fault.
    @Test func malformedFilesAreRefusedByName() throws {
        let valid: GGUFWriter = {
            var w = GGUFWriter()
            w.metadata = [("general.architecture", .string("llama"))]
            w.tensors = [
                .init(name: "a", dimensions: [32], type: 8, data: Self.blocks(1, bytesPerBlock: 34, scales: 1, seed: 5)),
                .init(name: "b", dimensions: [4], type: 0, data: [UInt8](repeating: 0, count: 16)),
            ]
            return w
        }()
        _ = try GGUFFile(path: try write(valid, "base"))
        var cases: [(String, (inout GGUFWriter) -> Void, String)] = [
            ("version", { $0.version = 4 }, "GGUF version 4"),
            ("duplicate-key", { $0.metadata.append(("general.architecture", .string("x"))) }, "general.architecture: the key is given twice"),
            ("duplicate-tensor", { $0.tensors[1].name = "a" }, "a: the tensor is given twice"),
            ("rank", { $0.tensors[1].dimensions = [1, 1, 1, 1, 4] }, "b: 5 dimensions"),
            ("unknown-type", { $0.tensors[1].type = 99 }, "b: unknown tensor type 99"),
            ("blocks", { $0.tensors[0].dimensions = [16, 2] }, "a: rows of 16 values are not whole Q8_0 blocks of 32"),
            ("misaligned", { $0.tensors[1].offset = 36 }, "b: data offset 36 is not a multiple of the alignment 32"),
            ("overlap", { $0.tensors[1].offset = 0 }, "b: its data overlaps a's"),
            ("huge-dims", { $0.tensors[1].dimensions = [1 << 31, 1 << 31] }, "b: dimension 2147483648 is larger than any file"),
            ("alignment", { $0.metadata.append(("general.alignment", .u32(48))) }, "general.alignment: must be a power of two"),
            ("bool", { $0.metadata.append(("flag", .u8(2))) }, ""),
        ]
        cases.removeLast()  // a u8 of 2 is valid; the bool case is built by hand below
        for (name, change, fragment) in cases {
            var w = valid
            change(&w)
            let path = try write(w, name)
            let message = Self.failure(path)
            #expect(message?.hasPrefix(path + ": ") == true && message?.contains(fragment) == true, "\(name): \(message ?? "accepted")")
        }
        // Hand-made corruptions: magic, a bool of 2, truncation at every length, a huge count, a huge string.
        var bytes = valid.bytes()
        let base = Self.folder + "/raw.gguf"
        func refuse(_ b: [UInt8], _ fragment: String, _ label: String) throws {
            try Data(b).write(to: URL(fileURLWithPath: base))
            let message = Self.failure(base)
            #expect(message.map { fragment.isEmpty || $0.contains(fragment) } == true, "\(label): \(message ?? "accepted")")
        }
        bytes[0] = UInt8(ascii: "X")
        try refuse(bytes, "not a GGUF file", "magic")
        bytes = valid.bytes()
        try refuse(Array(bytes.dropLast(4)), "b: F32 [4] needs bytes", "past the end")
        for length in stride(from: 0, to: bytes.count - 1, by: 7) { try refuse(Array(bytes.prefix(length)), "", "truncated at \(length)") }
        var w = valid
        w.metadata.append(("flag", .bool(true)))
        bytes = w.bytes()
        let flagAt = bytes.indices.first { bytes[$0...].starts(with: Array("flag".utf8)) }! + 4 + 4
        bytes[flagAt] = 2
        try refuse(bytes, "flag: a bool of value 2", "bool")
        bytes = valid.bytes()
        bytes.replaceSubrange(8..<16, with: GGUFWriter.le(UInt64(1) << 60))
        try refuse(bytes, "tensor count 1152921504606846976 cannot fit", "tensor count")
        bytes = valid.bytes()
        bytes.replaceSubrange(24..<32, with: GGUFWriter.le(UInt64(1) << 62))
        try refuse(bytes, "a string of 4611686018427387904 bytes", "key length")
        #expect(throws: GGUFError.self) { try GGUFFile(path: Self.folder) }
        #expect(throws: GGUFError.self) { try GGUFFile(path: Self.folder + "/none.gguf") }
    }

    static func failure(_ path: String) -> String? {
        do {
            _ = try GGUFFile(path: path)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
