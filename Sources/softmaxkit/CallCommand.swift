import ArgumentParser
import Foundation
import SoftmaxAttention
import SoftmaxKit
import SoftmaxLab
import SoftmaxNumPy

/// `softmaxkit call ID --input NAME=FILE.npy ... --output-dir DIR`: one method on `.npy` files.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Apply one method to .npy inputs; writes DIR/<output>.npy for each output.",
        discussion: """
            Inputs may have any rank; normalizers, logsumexp, the losses and sample-token run along \
            --param axis=K (default -1, the last axis), the other axes count rows. Computes in the \
            inputs' precision unless --dtype says otherwise; the outputs do not depend on --threads. \
            Example:
              softmaxkit call softmax --param temperature=2 --param axis=1 --input x=logits.npy --output-dir out/
            """)

    @Argument(help: "The method id (see 'softmaxkit methods').")
    var id: String

    @Option(name: .customLong("param"), help: "A parameter, NAME=VALUE (number, true/false, string or [a,b,...]).")
    var parameters: [String] = []

    @Option(name: .customLong("input"), help: "An input, NAME=FILE.npy.")
    var inputs: [String] = []

    @Option(help: "The folder to write the outputs to (created if missing).")
    var outputDir: String

    @Option(help: "Compute in this precision (rounds float inputs of another width).")
    var dtype: Precision?

    @Option(help: "Threads (default: the active cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
    }

    func run() throws {
        let registry = MethodRegistry.complete
        _ = try registry.method(id)  // an unknown id is reported before any file is read
        let values = try parseParameters(parameters)
        var tensors: [String: Tensor] = [:]
        for (name, path) in try namedOptions(inputs, option: "--input") { tensors[name] = try NpyFile.read(path) }
        let outputs = try RowParallel.withThreads(threads) { try registry.call(id, inputs: tensors, parameters: values, precision: dtype) }
        try OutputFolder.write(outputs, to: outputDir)
    }
}

extension Precision: ExpressibleByArgument {}
