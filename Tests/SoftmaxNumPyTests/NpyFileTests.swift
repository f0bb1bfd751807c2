import Foundation
import SoftmaxKit
import Testing

@testable import SoftmaxNumPy

/// Round trips for every dtype and rank, and every malformed-file case, each with an error that
/// names the file.
@Suite struct NpyFileTests {
    static let folder: String = {
        let path = NSTemporaryDirectory() + "softmaxkit-npy-tests-\(getpid())"
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            preconditionFailure("cannot create the test folder \(path): \(error)")
        }
        return path
    }()

    static let samples: [Tensor] = [
        Tensor(shape: [2, 3], [1, -2.5, .infinity, -.infinity, 0, 3e38] as [Float]),
        Tensor(shape: [4], [1, 2, 3, .pi] as [Double]),
        Tensor(shape: [], [7.5] as [Double]),
        Tensor(shape: [0, 5], [] as [Float]),
        Tensor(shape: [2, 2], storage: .float16([1, 0.5, -2, 65504])),
        Tensor(shape: [3], storage: .int32([1, -2, Int32.max])),
        Tensor(shape: [1, 2], storage: .int64([Int64.min, 5])),
        Tensor(shape: [2, 2], [true, false, false, true]),
    ]

    @Test func roundTripsEveryDTypeAndRank() throws {
        for (k, t) in Self.samples.enumerated() {
            let path = Self.folder + "/sample\(k).npy"
            try NpyFile.write(t, to: path)
            #expect(try NpyFile.read(path) == t)
        }
    }

    @Test func aLinkToAFileIsReadAndSpecialFilesAreNamed() throws {
        let path = Self.folder + "/linked.npy", link = Self.folder + "/link-\(UInt32.random(in: 0...UInt32.max)).npy"
        let t = Tensor(shape: [2], [1, 2] as [Float])
        try NpyFile.write(t, to: path)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        #expect(try NpyFile.read(link) == t)
        #expect(throws: NpyFileError(path: Self.folder, reason: .unreadable("is a directory, not a .npy file"))) { try NpyFile.read(Self.folder) }
        #expect(throws: NpyFileError(path: "/dev/null", reason: .unreadable("not a regular file (a device, FIFO or socket); give a .npy file"))) {
            try NpyFile.read("/dev/null")
        }
        #expect(throws: NpyFileError(path: Self.folder + "/none.npy", reason: .unreadable("no such file"))) { try NpyFile.read(Self.folder + "/none.npy") }
    }

    @Test func headersArePaddedTo64Bytes() {
        for t in Self.samples {
            let data = NpyFile.encode(t)
            let headerLength = Int(data[8]) | Int(data[9]) << 8
            #expect((10 + headerLength) % 64 == 0)
            #expect(data[10 + headerLength - 1] == UInt8(ascii: "\n"))
        }
    }

    /// A file with the given header dictionary and data bytes (version 1.0).
    func file(_ dict: String, data: [UInt8], version: UInt8 = 1, magic: [UInt8] = NpyHeader.magic) -> Data {
        var header = Array(dict.utf8)
        while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)
        return Data(magic + [version, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + data)
    }

    func expectFailure(_ data: Data, _ expected: NpyFormatError, sourceLocation: SourceLocation = #_sourceLocation) {
        let path = Self.folder + "/bad-\(UInt32.random(in: 0...UInt32.max)).npy"
        #expect(FileManager.default.createFile(atPath: path, contents: data))
        do {
            _ = try NpyFile.read(path)
            Issue.record("expected \(expected)", sourceLocation: sourceLocation)
        } catch let e as NpyFileError {
            #expect(e.reason == .format(expected), sourceLocation: sourceLocation)
            #expect(e.description.hasPrefix(path + ": "), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func malformedFilesGiveErrorsNamingTheFile() {
        let floats = [UInt8](repeating: 0, count: 24)
        expectFailure(file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data: floats), .fortranOrder)
        expectFailure(file("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", data: floats), .bigEndian(">f4"))
        expectFailure(file("{'descr': '|O', 'fortran_order': False, 'shape': (2, 3), }", data: floats), .unsupportedDType("|O"))
        expectFailure(file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data: floats, magic: Array("NUMPY!".utf8)), .badMagic)
        expectFailure(
            file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data: Array(floats.prefix(20))),
            .sizeMismatch(expectedBytes: 24, actualBytes: 20))
        expectFailure(
            file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", data: floats),
            .sizeMismatch(expectedBytes: 16, actualBytes: 24))
        expectFailure(
            file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data: floats, version: 9),
            .unsupportedVersion(major: 9, minor: 0))
        expectFailure(Data(NpyHeader.magic + [1, 0, 200, 0] + Array("{'descr'".utf8)), .truncatedHeader(needed: 210, available: 18))
        expectFailure(Data([0x93, 0x4E]), .badMagic)
    }

    @Test func malformedDictionariesAreRejected() {
        for dict in [
            "{'descr': '<f4', 'shape': (2, 3), }", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }",
            "['descr', '<f4']", "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (6,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'extra': 1}",
        ] {
            let data = file(dict, data: [UInt8](repeating: 0, count: 24))
            #expect(throws: NpyFormatError.self) { try data.withUnsafeBytes { try NpyHeader.parse($0) } }
        }
    }

    @Test func version2HeadersAreRead() throws {
        // A version 2.0 header has a 4-byte length.
        var header = Array("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }".utf8)
        while (12 + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)
        let n = header.count
        let body = [1.0, -2.0].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let data = Data(NpyHeader.magic + [2, 0, UInt8(n & 0xFF), UInt8(n >> 8), 0, 0] + header + body)
        #expect(try NpyFile.decode(data) == Tensor(shape: [2], [1.0, -2.0] as [Double]))
    }

    @Test func writesAreAtomic() throws {
        // A write into a folder that does not exist fails with the path named and leaves nothing.
        let path = Self.folder + "/missing-folder/out.npy"
        #expect(throws: NpyFileError.self) { try NpyFile.write(Self.samples[0], to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
        // Overwriting leaves either the old or the new file, and no temporary files behind.
        let target = Self.folder + "/atomic.npy"
        try NpyFile.write(Self.samples[0], to: target)
        try NpyFile.write(Self.samples[1], to: target)
        #expect(try NpyFile.read(target) == Self.samples[1])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.contains("atomic") && $0 != "atomic.npy" }
        #expect(leftovers.isEmpty)
    }

    /// Files larger than one copy chunk go through the chunked copy (and the release of the copied
    /// pages of the mapping) and the chunked write; every element must survive both, and the file
    /// must be byte-for-byte what `encode` gives.
    @Test func filesLargerThanOneChunkRoundTrip() throws {
        let count = NpyFile.chunkBytes / 4 * 2 + 12_345
        let values = (0..<count).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0 &* 2_654_435_761) & 0x7F7F_FFFF) }
        let tensor = Tensor(shape: [count], values)
        let path = Self.folder + "/large.npy"
        try NpyFile.write(tensor, to: path)
        #expect(FileManager.default.contents(atPath: path) == NpyFile.encode(tensor))
        let back = try NpyFile.read(path)
        #expect(back == tensor)
        let doubles = Tensor(shape: [3, count / 3], (0..<(count / 3 * 3)).map { Double($0) * 0.5 - 7 })
        try NpyFile.write(doubles, to: path)
        #expect(try NpyFile.read(path) == doubles)
    }

    /// Written files get the usual permissions (the temporary file is created private).
    @Test func writtenFilesAreReadableByOthers() throws {
        let path = Self.folder + "/permissions.npy"
        try NpyFile.write(Self.samples[0], to: path)
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o644)
    }
}
