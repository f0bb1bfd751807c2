import ArgumentParser
import SoftmaxKit

/// `--param NAME=VALUE` options as registry parameter values.
func parseParameters(_ list: [String]) throws -> [String: ParameterValue] {
    var values: [String: ParameterValue] = [:]
    for p in list {
        guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { throw ValidationError("--param takes NAME=VALUE, got '\(p)'") }
        values[String(p[..<eq])] = try ParameterValue(parsing: String(p[p.index(after: eq)...]))
    }
    return values
}
