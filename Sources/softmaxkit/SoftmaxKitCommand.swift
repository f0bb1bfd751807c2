import ArgumentParser
import Foundation

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
            ModelCommand.self, LMCommand.self, SolveCommand.self,
        ],
        defaultSubcommand: LabCommand.self)

    /// The options that take several values, one per use.
    static let repeatableOptions: Set<String> = [
        "--param", "--input", "--method", "--workload", "--recorded", "--qkv", "--normalizer", "--activation", "--attention",
    ]

    /// An option given twice that takes one value is an error (the parser would silently keep
    /// the last).
    static func refuseRepeatedOptions(_ arguments: [String]) throws {
        var seen = Set<String>()
        for argument in arguments.prefix(while: { $0 != "--" }) where argument.hasPrefix("--") {
            let name = String(argument.split(separator: "=", maxSplits: 1)[0])
            guard !repeatableOptions.contains(name) else { continue }
            guard seen.insert(name).inserted else { throw ValidationError("\(name) is given twice; give it once") }
        }
    }

    /// Runs the command; an error is one line naming the fault (an argument error adds one line
    /// pointing to the help, instead of ArgumentParser's usage block) and a non-zero exit.
    /// `--help` prints the help.
    static func main() {
        do {
            try refuseRepeatedOptions(Array(CommandLine.arguments.dropFirst()))
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            // Argument errors get a pointer to the options; the others already carry their hint.
            let hint = code == .validationFailure ? "\nRun 'softmaxkit help' or add --help to the subcommand for its options." : ""
            fflush(nil)
            FileHandle.standardError.write(Data("Error: \(message)\(hint)\n".utf8))
            exit(withError: ExitCode(code.rawValue))
        }
    }
}
