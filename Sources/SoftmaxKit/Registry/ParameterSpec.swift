/// A declared method parameter: name, kind, default, and (for strings) the allowed values.
public struct ParameterSpec: Sendable {
    /// The kind of value a parameter takes.
    public enum Kind: String, Sendable, Codable { case number, integer, boolean, string, array }

    /// The name `--param NAME=VALUE` and `call` use.
    public let name: String
    /// The kind of value it takes.
    public let kind: Kind
    /// The value a call that does not give it gets.
    public let defaultValue: ParameterValue
    /// What it sets, as `softmaxkit methods` prints it.
    public let summary: String
    /// For `.string`: the accepted values (empty: any text).
    public let choices: [String]
    /// For `.number`/`.integer`: the accepted closed range (nil: any number, infinities included).
    public let range: ClosedRange<Double>?
    /// A further check on numbers and arrays: the reason the value is rejected, or nil.
    public let check: (@Sendable (ParameterValue) -> String?)?
    /// For `.number`/`.integer`: a word that stands for the method's own choice (`auto`, `none`),
    /// accepted in place of a number.
    public let automatic: String?

    /// A declaration; methods derive theirs from `MethodParameters` rather than writing these.
    public init(
        _ name: String, _ kind: Kind, default defaultValue: ParameterValue, _ summary: String,
        choices: [String] = [], range: ClosedRange<Double>? = nil,
        check: (@Sendable (ParameterValue) -> String?)? = nil, automatic: String? = nil
    ) {
        self.check = check
        self.automatic = automatic
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
        self.choices = choices
        self.range = range
    }

    /// Checks a given value against the declaration.
    public func validate(_ value: ParameterValue, method: String) throws -> ParameterValue {
        func bad(_ why: String) -> RegistryError { .invalidParameter(method: method, name: name, value: value.description, reason: why) }
        switch (kind, value) {
        case (.number, .number(let d)), (.integer, .number(let d)):
            guard d.isFinite || range == nil else { throw bad("must be finite") }
            // `Int(exactly:)` also refuses 2⁶³, which a range ending at `Int.max` (not a Double) contains.
            if kind == .integer, Int(exactly: d) == nil { throw bad("must be a whole number") }
            if let range, !range.contains(d) { throw bad("must be in \(range.lowerBound)…\(range.upperBound)") }
            if let reason = check?(value) { throw bad(reason) }
            return value
        case (.number, .string(let s)) where s == automatic, (.integer, .string(let s)) where s == automatic:
            return value
        case (.boolean, .boolean): return value
        case (.string, .string(let s)):
            guard choices.isEmpty || choices.contains(s) else { throw bad("must be one of \(choices.joined(separator: ", "))") }
            return value
        case (.array, .array(let a)):
            guard a.allSatisfy(\.isFinite) else { throw bad("must hold finite numbers") }
            if let reason = check?(value) { throw bad(reason) }
            return value
        default:
            throw bad("expected a \(kind.rawValue)" + (automatic.map { " or '\($0)'" } ?? ""))
        }
    }
}

/// The parameter values of one call, after defaults and validation. Methods read them as their
/// typed `MethodParameters` struct, never by name.
public struct ParameterValues: Sendable {
    /// Every declared parameter's value, by name.
    public let values: [String: ParameterValue]

    /// Values already validated by `MethodDescriptor.resolve`.
    public init(_ values: [String: ParameterValue]) { self.values = values }
}

extension ParameterSpec {
    /// The axis a distribution-valued method normalizes along, as NumPy's `axis` and PyTorch's
    /// `dim`: −1 (the last) by default, negative counting from the end. `MethodRegistry.call`
    /// applies it; the method itself always sees rows along the last axis.
    public static let axis = ParameterSpec(
        "axis", .integer, default: .number(-1), "the axis the rows run along (negative counts from the end)",
        range: Double(Int32.min)...Double(Int32.max))
}
