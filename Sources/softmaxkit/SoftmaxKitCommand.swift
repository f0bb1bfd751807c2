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
            ModelCommand.self,
        ],
        defaultSubcommand: LabCommand.self)

    /// Runs the command; an error is one line naming the fault (an argument error adds one line
    /// pointing to the help, instead of ArgumentParser's usage block) and a non-zero exit.
    /// `--help` prints the help.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            // Argument errors get a pointer to the options; the others already carry their hint.
            let hint = code == .validationFailure ? "\nRun 'softmaxkit help' or add --help to the subcommand for its options." : ""
            FileHandle.standardError.write(Data("Error: \(message)\(hint)\n".utf8))
            exit(withError: ExitCode(code.rawValue))
        }
    }
}
