import Foundation
import SoftmaxKit
import SoftmaxLab
import SoftmaxNumPy

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the files of one command into a folder as a set: the folder ends up holding all of them
/// or — on any failure — exactly what it held before. A call's outputs (`write(_:to:)`) also
/// replace the previous call's set; the lab's results (`commit(_:to:option:replacingPreviousSet:)`
/// with `false`) replace only the files of the same names, so `accuracy`, `model`, `train` and
/// `report` can share one results folder.
///
/// - A lock file (`.softmaxkit.lock`, `flock`) serialises writers into one folder, so two commands
///   never mix their files; the lock dies with its process, even a killed one.
/// - Every file is written into a staging folder inside the folder first; only when all are
///   written (and every destination is known to be writable) are they renamed into place, and —
///   for a call — the files of the previous set that this one does not replace are removed (the
///   set is recorded in `.softmaxkit-set`).
/// - SIGINT and SIGTERM remove the staging folder before the process exits; a staging folder left
///   by a killed run (SIGKILL) is removed, and reported, by the next writer into the folder.
enum OutputFolder {
    static let lockName = ".softmaxkit.lock", manifestName = ".softmaxkit-set", stagingPrefix = ".softmaxkit-staging-"

    /// One file of a set: its name in the folder, and how to write it to a given path.
    struct File {
        let name: String
        let write: (String) throws -> Void

        /// A file holding `data`.
        static func data(_ name: String, _ data: @autoclosure @escaping () throws -> Data) -> File {
            File(name: name) { path in try AtomicFile.write(try data(), to: path) }
        }

        /// A file holding `text` as UTF-8.
        static func text(_ name: String, _ text: @autoclosure @escaping () throws -> String) -> File {
            File(name: name) { path in try AtomicFile.write(try text(), to: path) }
        }
    }

    /// A call's outputs as `NAME.npy` files, replacing the previous call's set.
    static func write(_ outputs: [String: Tensor], to folder: String, note: (String) -> Void = progress) throws {
        let files = outputs.sorted { $0.key < $1.key }.map { name, tensor in
            File(name: name + ".npy") { path in try NpyFile.write(tensor, to: path) }
        }
        try commit(files, to: folder, option: "--output-dir", replacingPreviousSet: true, note: note)
    }

    /// Writes `files` into `folder` (given by `option`, for errors) as one set; returns their paths.
    @discardableResult
    static func commit(
        _ files: [File], to folder: String, option: String, replacingPreviousSet: Bool, note: (String) -> Void = progress
    ) throws -> [String] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ValidationErrorMessage("\(option) \(folder) exists and is not a folder") }
        } else {
            do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw ValidationErrorMessage("cannot create \(option) \(folder): \((error as NSError).localizedDescription)")
            }
        }
        let lock = try Lock(folder + "/" + lockName)
        defer { lock.release() }
        for stale in try staleStaging(in: folder) {
            try? fm.removeItem(atPath: folder + "/" + stale)
            note("removed \(folder)/\(stale), left by an interrupted run")
        }
        let names = files.map(\.name)
        for name in names {
            var directory: ObjCBool = false
            if fm.fileExists(atPath: folder + "/" + name, isDirectory: &directory), directory.boolValue {
                throw ValidationErrorMessage("\(folder)/\(name) is a folder; an output file cannot replace it")
            }
        }
        let staging = folder + "/" + stagingPrefix + "\(getpid())"
        try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let cleanup = StagingCleanup(staging)
        defer { cleanup.finish() }
        for file in files { try file.write(staging + "/" + file.name) }
        // Commit: the new files into place, then (for a call) the previous set's others away, then the record.
        for name in names where rename(staging + "/" + name, folder + "/" + name) != 0 {
            throw ValidationErrorMessage("\(folder)/\(name): cannot write: \(String(cString: strerror(errno)))")
        }
        if replacingPreviousSet {
            let previous = (try? String(contentsOfFile: folder + "/" + manifestName, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
            for name in previous where !names.contains(name) && name.hasSuffix(".npy") && !name.contains("/") {
                try? fm.removeItem(atPath: folder + "/" + name)
            }
            try AtomicFile.write(names.joined(separator: "\n") + "\n", to: folder + "/" + manifestName)
        }
        return names.map { folder + "/" + $0 }
    }

    /// Staging folders in `folder` (under the lock, none belongs to a live writer).
    static func staleStaging(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(stagingPrefix) }.sorted()
    }

    /// An exclusive `flock` on a file, held until released or the process ends.
    struct Lock {
        let descriptor: Int32

        init(_ path: String) throws {
            descriptor = open(path, O_CREAT | O_RDWR, 0o644)
            guard descriptor >= 0 else { throw ValidationErrorMessage("\(path): cannot create the lock: \(String(cString: strerror(errno)))") }
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    close(descriptor)
                    throw ValidationErrorMessage("\(path): cannot lock: \(String(cString: strerror(errno)))")
                }
            }
        }

        func release() {
            flock(descriptor, LOCK_UN)
            close(descriptor)
        }
    }
}

/// Removes a staging folder when the write ends, and on SIGINT or SIGTERM before the process
/// exits (the signals are handled on a dispatch queue, not in a signal handler).
final class StagingCleanup: @unchecked Sendable {
    let path: String
    private var sources: [DispatchSourceSignal] = []

    init(_ path: String) {
        self.path = path
        for signal in [SIGINT, SIGTERM] {
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler { [path] in
                try? FileManager.default.removeItem(atPath: path)
                exit(128 + signal)
            }
            source.resume()
            sources.append(source)
        }
    }

    func finish() {
        for source in sources { source.cancel() }
        for signal in [SIGINT, SIGTERM] { Foundation.signal(signal, SIG_DFL) }
        try? FileManager.default.removeItem(atPath: path)
    }
}
