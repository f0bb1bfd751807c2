import ArgumentParser

/// `softmaxkit`: the SoftmaxKit lab on the command line.
@main
struct SoftmaxKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "softmaxkit",
        abstract: "Compute, approximate and measure softmax and its relatives.",
        discussion: """
            With no subcommand, runs the lab's default comparison of the exact kernels: accuracy \
            against a float64 reference and speed against the machine's measured memory bandwidth.
            """,
        subcommands: [LabCommand.self, MethodsCommand.self, CallCommand.self, BenchCommand.self],
        defaultSubcommand: LabCommand.self)
}
