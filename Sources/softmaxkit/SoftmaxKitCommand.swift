import ArgumentParser

/// `softmaxkit`: the SoftmaxKit lab on the command line.
@main
struct SoftmaxKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "softmaxkit",
        abstract: "Compute, approximate and measure softmax and its relatives.",
        discussion: """
            With no subcommand, runs the lab's default comparison: every softmax variant, \
            approximation and replacement, and every GELU-family activation, measured against float64 \
            references and for speed, ranked; writes the results and an HTML report.
            """,
        subcommands: [
            LabCommand.self, MethodsCommand.self, CallCommand.self, AccuracyCommand.self, BenchCommand.self, ReportCommand.self, TrainCommand.self,
            ModelCommand.self,
        ],
        defaultSubcommand: LabCommand.self)
}
