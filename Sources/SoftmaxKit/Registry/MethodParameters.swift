/// A method's parameters as a typed struct: every parameter a stored property with its default,
/// declared once — name, summary, range or choices — and bound to its property by key path.
///
/// ```swift
/// struct SoftmaxParameters: MethodParameters {
///     var temperature = 1.0
///     var algorithm: SoftmaxAlgorithm? = nil
///     static let declarations: [ParameterDeclaration<Self>] = [
///         .number("temperature", \.temperature, "T: computes on x/T", range: …),
///         .optionalChoice("algorithm", \.algorithm, "…", automatic: "auto"),
///     ]
/// }
/// ```
/// The registry entry's parameter list (`ParameterSpec`s: names, kinds, defaults, ranges, choices)
/// is derived from the declarations, defaults read off `init()`; a method's implementation reads
/// `P(values)` — typed fields, never a name — so a misspelt parameter cannot compile, and choices
/// are enums, never strings compared in code.
public protocol MethodParameters: Sendable {
    /// Every parameter at its default.
    init()
    static var declarations: [ParameterDeclaration<Self>] { get }
}

extension MethodParameters {
    /// The registry's view of the declarations.
    public static var specs: [ParameterSpec] { declarations.map(\.spec) }

    /// The values a registry entry has validated (`MethodDescriptor.resolve`) as the typed struct;
    /// parameters not given keep their defaults.
    public init(_ values: ParameterValues) {
        self.init()
        for declaration in Self.declarations {
            if let value = values.values[declaration.spec.name] { declaration.assign(&self, value) }
        }
    }
}

/// One parameter of a `MethodParameters` struct: its `ParameterSpec` and how a validated value is
/// stored into the struct.
public struct ParameterDeclaration<P: MethodParameters>: Sendable {
    /// The registry's declaration: name, kind, default, range or choices.
    public let spec: ParameterSpec
    let assign: @Sendable (inout P, ParameterValue) -> Void

    /// A real number in `range` (finite unless the range is nil), with an optional further check.
    public static func number(
        _ name: String, _ keyPath: WritableKeyPath<P, Double> & Sendable, _ summary: String, range: ClosedRange<Double>,
        check: (@Sendable (Double) -> String?)? = nil
    ) -> Self {
        let valueCheck = Self.valueCheck(check, payload: { if case let .number(d) = $0 { d } else { nil } })
        let spec = ParameterSpec(name, .number, default: .number(P()[keyPath: keyPath]), summary, range: range, check: valueCheck)
        return Self(spec: spec, assign: { p, v in if case let .number(d) = v { p[keyPath: keyPath] = d } })
    }

    /// A real number in `range`, or the word `automatic` (stored as nil: the method's own choice).
    public static func optionalNumber(
        _ name: String, _ keyPath: WritableKeyPath<P, Double?> & Sendable, _ summary: String, range: ClosedRange<Double>,
        automatic: String
    ) -> Self {
        Self(
            spec: ParameterSpec(
                name, .number, default: P()[keyPath: keyPath].map { .number($0) } ?? .string(automatic), summary,
                range: range, automatic: automatic),
            assign: { p, v in p[keyPath: keyPath] = if case let .number(d) = v { d } else { nil } })
    }

    /// A whole number in `range`.
    public static func integer(_ name: String, _ keyPath: WritableKeyPath<P, Int> & Sendable, _ summary: String, range: ClosedRange<Int>) -> Self {
        Self(
            spec: ParameterSpec(
                name, .integer, default: .number(Double(P()[keyPath: keyPath])), summary,
                range: Double(range.lowerBound)...Double(range.upperBound)),
            assign: { p, v in if case let .number(d) = v { p[keyPath: keyPath] = wholeNumber(d, name) } })
    }

    /// A whole number in `range`, or the word `automatic` (stored as nil).
    public static func optionalInteger(
        _ name: String, _ keyPath: WritableKeyPath<P, Int?> & Sendable, _ summary: String, range: ClosedRange<Int>, automatic: String
    ) -> Self {
        Self(
            spec: ParameterSpec(
                name, .integer, default: P()[keyPath: keyPath].map { .number(Double($0)) } ?? .string(automatic), summary,
                range: Double(range.lowerBound)...Double(range.upperBound), automatic: automatic),
            assign: { p, v in p[keyPath: keyPath] = if case let .number(d) = v { wholeNumber(d, name) } else { nil } })
    }

    /// `true` or `false`.
    public static func boolean(_ name: String, _ keyPath: WritableKeyPath<P, Bool> & Sendable, _ summary: String) -> Self {
        Self(
            spec: ParameterSpec(name, .boolean, default: .boolean(P()[keyPath: keyPath]), summary),
            assign: { p, v in if case let .boolean(b) = v { p[keyPath: keyPath] = b } })
    }

    /// One of an enum's cases, by raw value.
    public static func choice<E: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ keyPath: WritableKeyPath<P, E> & Sendable, _ summary: String
    ) -> Self where E.RawValue == String {
        Self(
            spec: ParameterSpec(
                name, .string, default: .string(P()[keyPath: keyPath].rawValue), summary,
                choices: E.allCases.map(\.rawValue)),
            assign: { p, v in if case let .string(s) = v, let e = E(rawValue: s) { p[keyPath: keyPath] = e } })
    }

    /// One of an enum's cases, or the word `none` (stored as nil): `causal=none`, `algorithm=auto`.
    public static func optionalChoice<E: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ keyPath: WritableKeyPath<P, E?> & Sendable, _ summary: String, none: String
    ) -> Self where E.RawValue == String {
        Self(
            spec: ParameterSpec(
                name, .string, default: .string(P()[keyPath: keyPath]?.rawValue ?? none), summary,
                choices: [none] + E.allCases.map(\.rawValue)),
            assign: { p, v in if case let .string(s) = v { p[keyPath: keyPath] = E(rawValue: s) } })
    }

    /// A list of finite numbers, with an optional further check.
    public static func array(
        _ name: String, _ keyPath: WritableKeyPath<P, [Double]> & Sendable, _ summary: String, check: (@Sendable ([Double]) -> String?)? = nil
    ) -> Self {
        let valueCheck = Self.valueCheck(check, payload: { if case let .array(a) = $0 { a } else { nil } })
        let spec = ParameterSpec(name, .array, default: .array(P()[keyPath: keyPath]), summary, check: valueCheck)
        return Self(spec: spec, assign: { p, v in if case let .array(a) = v { p[keyPath: keyPath] = a } })
    }
}

/// A validated whole number as an `Int`; `ParameterSpec.validate` has refused every other value, so
/// only values that skipped it (a `ParameterValues` built by hand) reach the precondition.
private func wholeNumber(_ d: Double, _ name: String) -> Int {
    guard let n = Int(exactly: d) else { preconditionFailure("parameter \(name) = \(d) was not validated (ParameterSpec.validate)") }
    return n
}

extension ParameterDeclaration {
    /// A typed check as `ParameterSpec`'s check on values: `check` applied to what `payload` finds.
    static func valueCheck<V>(
        _ check: (@Sendable (V) -> String?)?, payload: @escaping @Sendable (ParameterValue) -> V?
    ) -> (@Sendable (ParameterValue) -> String?)? {
        guard let check else { return nil }
        return { value in payload(value).flatMap(check) }
    }

    /// The same parameter for a struct that holds `P` at `path` (a method whose parameters extend
    /// another's).
    public func nested<Outer: MethodParameters>(in path: WritableKeyPath<Outer, P> & Sendable) -> ParameterDeclaration<Outer> {
        let assign = self.assign
        return ParameterDeclaration<Outer>(spec: spec, assign: { outer, value in assign(&outer[keyPath: path], value) })
    }

    /// Free text: a registry id (`attention`'s `normalizer`), checked where it is used.
    public static func text(_ name: String, _ keyPath: WritableKeyPath<P, String> & Sendable, _ summary: String) -> Self {
        Self(
            spec: ParameterSpec(name, .string, default: .string(P()[keyPath: keyPath]), summary),
            assign: { p, v in if case let .string(s) = v { p[keyPath: keyPath] = s } })
    }
}

/// The parameters of a method that takes none.
public struct NoParameters: MethodParameters {
    /// No parameters.
    public init() {}
    /// None.
    public static let declarations: [ParameterDeclaration<Self>] = []
}
