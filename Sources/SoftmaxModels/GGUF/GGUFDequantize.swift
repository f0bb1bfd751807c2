/// ggml's block formats to Float, exactly as ggml's reference dequantizers compute them (each value
/// is one product and at most one sum of a half-precision scale with a small integer, so the Float
/// results are exact up to that rounding, the same bits as `dequantize_row_*`).
///
/// | type | block | value |
/// |---|---|---|
/// | F32, F16, BF16 | 1 | the value, widened |
/// | Q4_0 | 32: fp16 d, 16 bytes | `(q − 8)·d`, q = low nibbles (values 0…15), then high nibbles (16…31) |
/// | Q4_1 | 32: fp16 d, fp16 m, 16 bytes | `q·d + m`, nibbles in the same order |
/// | Q8_0 | 32: fp16 d, 32 int8 | `q·d` |
public enum GGUFDequantize {
    /// Dequantizes the blocks in `raw` (of `type`) into `out` (`raw` holds exactly `out.count` values).
    public static func dequantize(_ raw: UnsafeRawBufferPointer, type: GGMLType, into out: UnsafeMutableBufferPointer<Float>) {
        let n = out.count
        switch type {
        case .f32:
            for i in 0..<n { out[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian) }
        case .f16:
            for i in 0..<n { out[i] = half(raw, 2 * i) }
        case .bf16:
            for i in 0..<n { out[i] = Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) << 16) }
        case .q40:
            for b in 0..<(n / 32) {
                let block = 18 * b, d = half(raw, block)
                for j in 0..<16 {
                    let q = raw[block + 2 + j]
                    out[32 * b + j] = Float(Int(q & 0x0F) - 8) * d
                    out[32 * b + j + 16] = Float(Int(q >> 4) - 8) * d
                }
            }
        case .q41:
            for b in 0..<(n / 32) {
                let block = 20 * b, d = half(raw, block), m = half(raw, block + 2)
                for j in 0..<16 {
                    let q = raw[block + 4 + j]
                    out[32 * b + j] = Float(q & 0x0F) * d + m
                    out[32 * b + j + 16] = Float(q >> 4) * d + m
                }
            }
        case .q80:
            for b in 0..<(n / 32) {
                let block = 34 * b, d = half(raw, block)
                for j in 0..<32 { out[32 * b + j] = Float(Int8(bitPattern: raw[block + 2 + j])) * d }
            }
        default:
            preconditionFailure("GGUFDequantize: \(type.name) is not readable (GGUFFile.floats refuses it first)")
        }
    }

    /// The IEEE half-precision value at `offset`, widened exactly.
    @inline(__always)
    static func half(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> Float {
        floatFromHalf(raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndian)
    }

    /// Half-precision bits to Float without the `Float16` type (which is not available on every
    /// platform Swift builds for): sign, exponent and mantissa moved into place; subnormals
    /// normalised; infinities and NaNs kept.
    static func floatFromHalf(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0:
            // ±0 or a subnormal: mantissa · 2⁻²⁴.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | (UInt32(exponent - 15 + 127) << 23) | (mantissa << 13))
        }
    }
}
