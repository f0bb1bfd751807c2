/// Errors from looking up and calling registered methods. Each names what is at fault and
/// suggests a fix.
public enum RegistryError: Error, Equatable, CustomStringConvertible {
    case unknownMethod(String, suggestions: [String])
    case unknownParameter(method: String, name: String, known: [String])
    case invalidParameter(method: String, name: String, value: String, reason: String)
    case badParameterSyntax(String)
    case missingInput(method: String, name: String)
    case unknownInput(method: String, name: String, known: [String])

    /// One line naming what is at fault, with a hint.
    public var description: String {
        switch self {
        case let .unknownMethod(id, suggestions):
            let hint =
                suggestions.isEmpty ? "run 'softmaxkit methods' for the list" : "did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            return "unknown method '\(id)'; \(hint)"
        case let .unknownParameter(method, name, known):
            let list = known.isEmpty ? "it takes no parameters" : "its parameters are \(known.joined(separator: ", "))"
            return "method '\(method)' has no parameter '\(name)'; \(list)"
        case let .invalidParameter(method, name, value, reason):
            return "parameter '\(name)' of '\(method)' = \(value): \(reason)"
        case let .badParameterSyntax(text):
            return "cannot parse parameter value '\(text)'; use a number, true/false, a string or a JSON array like [0.3,0.7]"
        case let .missingInput(method, name):
            return "method '\(method)' needs input '\(name)'; pass --input \(name)=FILE.npy"
        case let .unknownInput(method, name, known):
            return "method '\(method)' has no input '\(name)'; its inputs are \(known.joined(separator: ", "))"
        }
    }
}
