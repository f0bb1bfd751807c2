import Foundation
import SoftmaxKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing NumPy `.npy` files (format 1.0, 2.0 and 3.0; little-endian float16/32/64,
/// int32/64, bool; C order) as `Tensor`s.
///
/// Memory: reading maps the file and copies its data straight into the tensor's array, releasing
/// each copied stretch of the mapping as it goes; writing streams the header and the tensor's own
/// bytes to the file. Neither holds a second copy of the array, so a call on a large input peaks at
/// about its input plus its output.
public enum NpyFile {
    /// Bytes copied (or written) between releases of the mapping (or write calls).
    static let chunkBytes = 1 << 24

    /// Reads a tensor. Errors name the file.
    public static func read(_ path: String) throws -> Tensor {
        if let why = notARegularFile(path) { throw NpyFileError(path: path, reason: .unreadable(why)) }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw NpyFileError(path: path, reason: .unreadable(systemError())) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw NpyFileError(path: path, reason: .unreadable(systemError())) }
        let size = Int(info.st_size)
        do {
            guard size > 0 else { return try decode(UnsafeRawBufferPointer(start: nil, count: 0), releasingPages: false) }
            guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
                throw NpyFileError(path: path, reason: .unreadable("cannot map: " + systemError()))
            }
            defer { munmap(mapped, size) }
            return try decode(UnsafeRawBufferPointer(start: mapped, count: size), releasingPages: true)
        } catch let e as NpyFormatError {
            throw NpyFileError(path: path, reason: .format(e))
        }
    }

    /// Why `path` cannot be read as a file — it does not exist, is a directory, or is a device or
    /// FIFO (whose reads never end or block) — or nil for a regular file.
    public static func notARegularFile(_ path: String) -> String? {
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
        try data.withUnsafeBytes { try decode($0, releasingPages: false) }
    }

    /// Decodes a `.npy` file's bytes into a tensor: one copy of the data, straight into the
    /// tensor's array. With `releasingPages` (`raw` is a private read-only file mapping), each
    /// copied stretch of the mapping is dropped from memory as the copy goes on.
    static func decode(_ raw: UnsafeRawBufferPointer, releasingPages: Bool) throws -> Tensor {
        let header = try NpyHeader.parse(raw)
        let body = UnsafeRawBufferPointer(rebasing: raw[header.dataOffset...])
        func load<T>(_: T.Type, fromLittleEndian convert: (T) -> T) -> [T] {
            [T](unsafeUninitializedCapacity: header.count) { buffer, initialized in
                if let destination = UnsafeMutableRawPointer(buffer.baseAddress), let source = body.baseAddress {
                    var offset = 0
                    while offset < body.count {
                        let n = min(chunkBytes, body.count - offset)
                        (destination + offset).copyMemory(from: source + offset, byteCount: n)
                        if releasingPages { release(source + offset, byteCount: n, mappingStart: raw.baseAddress) }
                        offset += n
                    }
                }
                initialized = header.count
                if 1.littleEndian != 1 { for i in 0..<header.count { buffer[i] = convert(buffer[i]) } }
            }
        }
        let storage: Tensor.Storage
        switch header.elementType {
        case .float16: storage = .float16(load(Float16.self) { Float16(bitPattern: UInt16(littleEndian: $0.bitPattern)) })
        case .float32: storage = .float32(load(Float.self) { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) })
        case .float64: storage = .float64(load(Double.self) { Double(bitPattern: UInt64(littleEndian: $0.bitPattern)) })
        case .int32: storage = .int32(load(Int32.self) { Int32(littleEndian: $0) })
        case .int64: storage = .int64(load(Int64.self) { Int64(littleEndian: $0) })
        case .bool:
            guard body.allSatisfy({ $0 <= 1 }) else { throw NpyFormatError.malformedHeader("bool data holds bytes other than 0 and 1") }
            storage = .bool(body.map { $0 == 1 })
        }
        return Tensor(shape: header.shape, storage: storage)
    }

    /// Drops the whole pages of a copied stretch of the mapping from memory (they would be read
    /// again from the file if touched).
    static func release(_ start: UnsafeRawPointer, byteCount: Int, mappingStart: UnsafeRawPointer?) {
        guard let mappingStart else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let from = (start - mappingStart) / page * page, to = (start + byteCount - mappingStart) / page * page
        if to > from { madvise(UnsafeMutableRawPointer(mutating: mappingStart + from), to - from, MADV_DONTNEED) }
    }

    /// The bytes of a `.npy` file holding `tensor`.
    public static func encode(_ tensor: Tensor) -> Data {
        var data = Data(NpyHeader(elementType: elementType(of: tensor), shape: tensor.shape).encoded())
        data.reserveCapacity(data.count + tensor.count * tensor.dtype.size)
        forEachChunk(of: tensor) { data.append($0.bindMemory(to: UInt8.self)) }
        return data
    }

    /// Writes atomically: streamed to a temporary file in the same folder, then renamed over
    /// `path`, so a failed run never leaves a half-written file and no second copy of the data is
    /// made in memory.
    public static func write(_ tensor: Tensor, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        var template = Array((url.deletingLastPathComponent().path + "/." + url.lastPathComponent + ".XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw NpyFileError(path: path, reason: .unwritable(systemError())) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        do {
            defer { close(fd) }
            func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
                var offset = 0
                while offset < bytes.count {
                    let n = posixWrite(fd, bytes.baseAddress! + offset, min(chunkBytes, bytes.count - offset))
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw NpyFileError(path: path, reason: .unwritable(systemError())) }
                    offset += n
                }
            }
            try NpyHeader(elementType: elementType(of: tensor), shape: tensor.shape).encoded().withUnsafeBytes(writeAll)
            try forEachChunk(of: tensor, writeAll)
            guard fchmod(fd, 0o644) == 0 else { throw NpyFileError(path: path, reason: .unwritable(systemError())) }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let why = systemError()
            unlink(temporary)
            throw NpyFileError(path: path, reason: .unwritable(why))
        }
    }

    static func elementType(of tensor: Tensor) -> NpyElementType {
        switch tensor.storage {
        case .float16: .float16
        case .float32: .float32
        case .float64: .float64
        case .int32: .int32
        case .int64: .int64
        case .bool: .bool
        }
    }

    /// Hands the tensor's data to `body` as little-endian bytes: its own storage on little-endian
    /// hosts (Swift's `Bool` is one byte, 0 or 1, as `.npy` stores it), converted pieces elsewhere.
    static func forEachChunk(of tensor: Tensor, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        switch tensor.storage {
        case let .float16(a): try emit(a, \.bitPattern, body)
        case let .float32(a): try emit(a, \.bitPattern, body)
        case let .float64(a): try emit(a, \.bitPattern, body)
        case let .int32(a): try emit(a, { $0 }, body)
        case let .int64(a): try emit(a, { $0 }, body)
        case let .bool(a): try emit(a, { UInt8($0 ? 1 : 0) }, body)
        }
    }

    private static func emit<T, B: FixedWidthInteger>(
        _ values: [T], _ bits: (T) -> B, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        if 1.littleEndian == 1 { return try values.withUnsafeBytes(body) }
        let per = chunkBytes / MemoryLayout<B>.size
        for start in stride(from: 0, to: values.count, by: per) {
            try values[start..<min(start + per, values.count)].map { bits($0).littleEndian }.withUnsafeBytes(body)
        }
    }

    static func systemError() -> String { String(cString: strerror(errno)) }
}

/// `write(2)`, out of reach of `NpyFile.write`'s name.
private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }

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

    /// The error as one line naming what is at fault.
    public var description: String {
        switch reason {
        case let .unreadable(why): return "\(path): cannot read: \(why)"
        case let .unwritable(why): return "\(path): cannot write: \(why)"
        case let .format(e): return "\(path): \(e)"
        }
    }
}
