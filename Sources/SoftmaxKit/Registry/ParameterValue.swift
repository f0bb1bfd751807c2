/// A value for a method parameter, as given on the command line (`--param NAME=VALUE`) or in code.
public enum ParameterValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case boolean(Bool)
    case string(String)
    case array([Double])

    /// Parses the command-line spelling: `true`/`false`, a number, a JSON array of numbers
    /// (`[0.3,0.3,0.4]`), or else a string.
    public init(parsing text: String) throws {
        let t = text.trimmed
        if t == "true" { self = .boolean(true); return }
        if t == "false" { self = .boolean(false); return }
        if let d = Double(t) { self = .number(d); return }
        if t.hasPrefix("[") {
            guard t.hasSuffix("]") else { throw RegistryError.badParameterSyntax(text) }
            let body = t.dropFirst().dropLast().trimmed
            if body.isEmpty { self = .array([]); return }
            var values: [Double] = []
            for item in body.split(separator: ",", omittingEmptySubsequences: false) {
                guard let d = Double(item.trimmed) else { throw RegistryError.badParameterSyntax(text) }
                values.append(d)
            }
            self = .array(values)
            return
        }
        self = .string(t)
    }

    /// The command-line spelling (whole numbers without a fraction).
    public var description: String {
        switch self {
        case let .number(d): d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case let .boolean(b): String(b)
        case let .string(s): s
        case let .array(a): "[" + a.map { String($0) }.joined(separator: ",") + "]"
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space.
    fileprivate var trimmed: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
