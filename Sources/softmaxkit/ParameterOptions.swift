import ArgumentParser
import SoftmaxKit

/// `--param NAME=VALUE` options as registry parameter values; a name given twice is an error
/// (never the last one silently).
func parseParameters(_ list: [String]) throws -> [String: ParameterValue] {
    var values: [String: ParameterValue] = [:]
    for (name, text) in try namedOptions(list, option: "--param") { values[name] = try ParameterValue(parsing: text) }
    return values
}

/// `NAME=VALUE` options (`--param`, `--input`) as pairs in the order given; a malformed one or a
/// name given twice is an error naming it.
func namedOptions(_ list: [String], option: String) throws -> [(name: String, value: String)] {
    var seen = Set<String>()
    return try list.map { text in
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw ValidationErrorMessage("\(option) takes NAME=VALUE, got '\(text)'")
        }
        let name = String(text[..<eq])
        guard seen.insert(name).inserted else { throw ValidationErrorMessage("\(option) \(name) is given twice; give each name once") }
        return (name, String(text[text.index(after: eq)...]))
    }
}
