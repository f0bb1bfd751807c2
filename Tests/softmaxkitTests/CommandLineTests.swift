import ArgumentParser
import Foundation
import Testing
import SoftmaxKit
import SoftmaxLab
@testable import softmaxkit

/// The command line in process: `methods`, `call` and the error paths (one line naming the fault,
/// a thrown error, no output file left behind).
@Suite(.serialized) struct CommandLineTests {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "softmaxkit-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func run(_ arguments: [String]) throws {
        var command = try SoftmaxKitCommand.parseAsRoot(arguments)
        try command.run()
    }

    /// The one-line message the user would see for `arguments`.
    func failure(_ arguments: [String]) -> String? {
        do {
            try run(arguments)
            return nil
        } catch {
            return SoftmaxKitCommand.message(for: error)
        }
    }

    func write(_ t: Tensor, _ name: String) throws -> String {
        let path = folder + "/" + name
        try NpyFile.write(t, to: path)
        return path
    }

    var outputs: [String] { (try? FileManager.default.contentsOfDirectory(atPath: folder + "/out")) ?? [] }

    @Test func methodsListsEveryRegisteredId() throws {
        for id in MethodRegistry.standard.methods.map(\.id) {
            #expect(["softmax", "log-softmax", "logsumexp", "masked-softmax", "two-pass-softmax", "online-softmax",
                     "merge-softmax-states", "ext-exp"].contains(id))
        }
        try run(["methods"])
        try run(["methods", "--json"])
    }

    @Test func callWritesEveryOutput() throws {
        let x = try write(Tensor(shape: [2, 3], [1, 2, 3, 0, 0, -.infinity] as [Float]), "x.npy")
        try run(["call", "two-pass-softmax", "--input", "x=\(x)", "--output-dir", folder + "/out"])
        #expect(Set(outputs) == ["y.npy", "m_sum.npy", "n_sum.npy"])
        let y = try NpyFile.read(folder + "/out/y.npy")
        #expect(y.shape == [2, 3] && y.dtype == .float32)
        guard case let .float32(v) = y.storage else { Issue.record("dtype"); return }
        #expect(abs(v[0] + v[1] + v[2] - 1) < 1e-6 && v[3] == 0.5 && v[5] == 0)
        #expect(try NpyFile.read(folder + "/out/n_sum.npy").shape == [2])
    }

    @Test func oneDimensionalInputsGiveZeroDimensionalRowOutputs() throws {
        let x = try write(Tensor(shape: [4], [1, 2, 3, 4] as [Double]), "x1.npy")
        try run(["call", "logsumexp", "--input", "x=\(x)", "--output-dir", folder + "/out"])
        let lse = try NpyFile.read(folder + "/out/y.npy")
        #expect(lse.shape == [] && lse.dtype == .float64)
    }

    @Test func parametersAndDTypeConversion() throws {
        let x = try write(Tensor(shape: [3], storage: .int64([1, 2, 3])), "ints.npy")
        let mask = try write(Tensor(shape: [3], storage: .int32([1, 0, 1])), "mask.npy")
        try run(["call", "masked-softmax", "--param", "temperature=2", "--param", "algorithm=online",
                 "--input", "x=\(x)", "--input", "mask=\(mask)", "--output-dir", folder + "/out"])
        guard case let .float32(y) = try NpyFile.read(folder + "/out/y.npy").storage else { Issue.record("dtype"); return }
        #expect(y[1] == 0 && abs(y[2] / y[0] - Float(M_E)) < 1e-5)
        // float64 inputs computed in float32 only when asked.
        let d = try write(Tensor(shape: [2], [0.5, 0.25] as [Double]), "doubles.npy")
        try run(["call", "softmax", "--input", "x=\(d)", "--output-dir", folder + "/out", "--dtype", "float32"])
        #expect(try NpyFile.read(folder + "/out/y.npy").dtype == .float32)
    }

    @Test func errorsNameTheFaultAndLeaveNoOutput() throws {
        let x = try write(Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6] as [Float]), "x.npy")
        let out = folder + "/out"
        let cube = try write(Tensor(shape: [1, 1, 2], [1, 2] as [Float]), "cube.npy")
        let badMask = try write(Tensor(shape: [3], storage: .int32([1, 2, 0])), "badmask.npy")
        let garbage = folder + "/garbage.npy"
        FileManager.default.createFile(atPath: garbage, contents: Data("not numpy".utf8))
        let cases: [([String], String)] = [
            (["call", "sofmax", "--input", "x=\(x)", "--output-dir", out], "did you mean 'softmax'"),
            (["call", "softmax", "--output-dir", out], "needs input 'x'"),
            (["call", "softmax", "--input", "q=\(x)", "--output-dir", out], "no input 'q'"),
            (["call", "softmax", "--input", "x=\(cube)", "--output-dir", out], "shape (1, 1, 2)"),
            (["call", "softmax", "--input", "x=\(folder)/nope.npy", "--output-dir", out], "nope.npy"),
            (["call", "softmax", "--input", "x=\(garbage)", "--output-dir", out], "garbage.npy: not a NumPy"),
            (["call", "softmax", "--param", "temperature=0", "--input", "x=\(x)", "--output-dir", out], "temperature"),
            (["call", "softmax", "--param", "algorithm=fast", "--input", "x=\(x)", "--output-dir", out], "must be one of"),
            (["call", "softmax", "--param", "beta=1", "--input", "x=\(x)", "--output-dir", out], "no parameter 'beta'"),
            (["call", "masked-softmax", "--input", "x=\(x)", "--input", "mask=\(badMask)", "--output-dir", out], "mask"),
            (["call", "softmax", "--input", "x", "--output-dir", out], "NAME=VALUE"),
            (["bench", "--rows", "0", "--cols", "4"], "--rows"),
            (["bench", "--method", "ext-exp", "--rows", "1", "--cols", "4"], "not a normalizer"),
        ]
        for (arguments, fragment) in cases {
            let message = failure(arguments)
            #expect(message?.contains(fragment) == true, "\(arguments): \(message ?? "no error")")
            #expect(message.map { !$0.contains("\n") } ?? false, "one line: \(message ?? "")")
        }
        #expect(outputs.isEmpty)
    }
}
