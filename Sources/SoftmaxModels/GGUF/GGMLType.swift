/// The element types of GGUF tensors (ggml's `ggml_type` numbering), with the block layout each
/// stores its values in. SoftmaxKit dequantizes F32, F16, BF16, Q4_0, Q4_1 and Q8_0; the other
/// types are recognised (so their sizes check and errors name them) and refused when read. Case
/// names are ggml's without the underscore (`q41` is `Q4_1`, `q4K` is `Q4_K`); `name` spells ggml's.
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q40 = 2, q41 = 3, q50 = 6, q51 = 7, q80 = 8, q81 = 9
    case q2K = 10, q3K = 11, q4K = 12, q5K = 13, q6K = 14, q8K = 15
    case iq2XXS = 16, iq2XS = 17, iq3XXS = 18, iq1S = 19, iq4NL = 20, iq3S = 21, iq2S = 22, iq4XS = 23
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1M = 29, bf16 = 30
    case tq10 = 34, tq20 = 35

    /// The type's name as ggml spells it (`Q4_1`, `F32`).
    public var name: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .bf16: "BF16"
        case .f64: "F64"
        case .i8: "I8"
        case .i16: "I16"
        case .i32: "I32"
        case .i64: "I64"
        case .q40: "Q4_0"
        case .q41: "Q4_1"
        case .q50: "Q5_0"
        case .q51: "Q5_1"
        case .q80: "Q8_0"
        case .q81: "Q8_1"
        case .q2K: "Q2_K"
        case .q3K: "Q3_K"
        case .q4K: "Q4_K"
        case .q5K: "Q5_K"
        case .q6K: "Q6_K"
        case .q8K: "Q8_K"
        case .iq2XXS: "IQ2_XXS"
        case .iq2XS: "IQ2_XS"
        case .iq3XXS: "IQ3_XXS"
        case .iq1S: "IQ1_S"
        case .iq4NL: "IQ4_NL"
        case .iq3S: "IQ3_S"
        case .iq2S: "IQ2_S"
        case .iq4XS: "IQ4_XS"
        case .iq1M: "IQ1_M"
        case .tq10: "TQ1_0"
        case .tq20: "TQ2_0"
        }
    }

    /// Values per block (1 for the plain types).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: 1
        case .q40, .q41, .q50, .q51, .q80, .q81, .iq4NL: 32
        default: 256
        }
    }

    /// Bytes per block (ggml's `type_size`).
    public var bytesPerBlock: Int {
        switch self {
        case .f32, .i32: 4
        case .f16, .bf16, .i16: 2
        case .f64, .i64: 8
        case .i8: 1
        case .q40: 18  // fp16 d, 16 bytes of 4-bit values
        case .q41: 20  // fp16 d, fp16 m, 16 bytes
        case .q50: 22
        case .q51: 24
        case .q80: 34  // fp16 d, 32 int8
        case .q81: 36
        case .iq4NL: 18
        case .q2K: 84
        case .q3K: 110
        case .q4K: 144
        case .q5K: 176
        case .q6K: 210
        case .q8K: 292
        case .iq2XXS: 66
        case .iq2XS: 74
        case .iq3XXS: 98
        case .iq1S: 50
        case .iq3S: 110
        case .iq2S: 82
        case .iq4XS: 136
        case .iq1M: 56
        case .tq10: 54
        case .tq20: 66
        }
    }

    /// Whether `GGUFFile.floats` can dequantize this type.
    public var isReadable: Bool { [.f32, .f16, .bf16, .q40, .q41, .q80].contains(self) }
}
