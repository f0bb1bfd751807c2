import Foundation
import SoftmaxKit

/// Reading and writing NumPy `.npy` files (format 1.0, 2.0 and 3.0; little-endian float16/32/64,
/// int32/64, bool; C order) as `Tensor`s.
public enum NpyFile {
    /// Reads a tensor. Errors name the file.
    public static func read(_ path: String) throws -> Tensor {
        if let why = notARegularFile(path) { throw NpyFileError(path: path, reason: .unreadable(why)) }
        let data: Data
        do {
            // Mapped, not read: the file's pages are not a second copy of the array in memory.
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw NpyFileError(path: path, reason: .unreadable(String(describing: (error as NSError).localizedDescription)))
        }
        do {
            return try decode(data)
        } catch let e as NpyFormatError {
            throw NpyFileError(path: path, reason: .format(e))
        }
    }

    /// Why `path` cannot be read as a file — it does not exist, is a directory, or is a device or
    /// FIFO (whose reads never end or block) — or nil for a regular file.
    static func notARegularFile(_ path: String) -> String? {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path  // a link to a file is that file
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target) else {
            return FileManager.default.fileExists(atPath: path) ? nil : "no such file"
        }
        switch attributes[.type] as? FileAttributeType {
        case .typeRegular?: return nil
        case .typeDirectory?: return "is a directory, not a .npy file"
        default: return "not a regular file (a device, FIFO or socket); give a .npy file"
        }
    }

    /// Decodes the bytes of a `.npy` file.
    public static func decode(_ data: Data) throws -> Tensor {
        try data.withUnsafeBytes { raw in
            let header = try NpyHeader.parse(raw)
            let body = UnsafeRawBufferPointer(rebasing: raw[header.dataOffset...])
            func load<T>(_: T.Type) -> [T] {
                (0..<header.count).map { body.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) }
            }
            let storage: Tensor.Storage
            switch header.elementType {
            case .float16: storage = .float16(load(UInt16.self).map { Float16(bitPattern: UInt16(littleEndian: $0)) })
            case .float32: storage = .float32(load(UInt32.self).map { Float(bitPattern: UInt32(littleEndian: $0)) })
            case .float64: storage = .float64(load(UInt64.self).map { Double(bitPattern: UInt64(littleEndian: $0)) })
            case .int32: storage = .int32(load(Int32.self).map { Int32(littleEndian: $0) })
            case .int64: storage = .int64(load(Int64.self).map { Int64(littleEndian: $0) })
            case .bool:
                let bytes = load(UInt8.self)
                guard bytes.allSatisfy({ $0 <= 1 }) else { throw NpyFormatError.malformedHeader("bool data holds bytes other than 0 and 1") }
                storage = .bool(bytes.map { $0 == 1 })
            }
            return Tensor(shape: header.shape, storage: storage)
        }
    }

    /// The bytes of a `.npy` file holding `tensor`.
    public static func encode(_ tensor: Tensor) -> Data {
        let type: NpyElementType
        var body = Data()
        func append<T: FixedWidthInteger>(_ values: [T]) {
            body.reserveCapacity(values.count * MemoryLayout<T>.size)
            values.withUnsafeBufferPointer { buffer in
                if T.zero.littleEndian == T.zero && 1.littleEndian == 1 {
                    body.append(UnsafeBufferPointer(start: buffer.baseAddress, count: buffer.count))
                } else {
                    for v in buffer { withUnsafeBytes(of: v.littleEndian) { body.append(contentsOf: $0) } }
                }
            }
        }
        switch tensor.storage {
        case let .float16(a): type = .float16; append(a.map(\.bitPattern))
        case let .float32(a): type = .float32; append(a.map(\.bitPattern))
        case let .float64(a): type = .float64; append(a.map(\.bitPattern))
        case let .int32(a): type = .int32; append(a)
        case let .int64(a): type = .int64; append(a)
        case let .bool(a): type = .bool; append(a.map { $0 ? UInt8(1) : 0 })
        }
        return Data(NpyHeader(elementType: type, shape: tensor.shape).encoded()) + body
    }

    /// Writes atomically: to a temporary file in the same folder, then renamed over `path`, so a
    /// failed run never leaves a half-written file.
    public static func write(_ tensor: Tensor, to path: String) throws {
        do {
            try encode(tensor).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw NpyFileError(path: path, reason: .unwritable(String(describing: (error as NSError).localizedDescription)))
        }
    }
}

/// An `.npy` read or write failure, naming the file.
public struct NpyFileError: Error, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Equatable, Sendable {
        case unreadable(String)
        case unwritable(String)
        case format(NpyFormatError)
    }

    /// The file at fault.
    public let path: String
    /// What went wrong with it.
    public let reason: Reason

    public var description: String {
        switch reason {
        case let .unreadable(why): return "\(path): cannot read: \(why)"
        case let .unwritable(why): return "\(path): cannot write: \(why)"
        case let .format(e): return "\(path): \(e)"
        }
    }
}
