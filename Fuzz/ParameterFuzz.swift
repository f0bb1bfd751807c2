// libFuzzer entry point for the command line's parameter parsing: `--param NAME=VALUE` text through
// `ParameterValue(parsing:)`, a declaration's validation (`ParameterSpec.validate`) and the typed
// struct it fills (`MethodParameters`). Built by Fuzz/run-parameter-fuzz.sh together with the
// four registry files it needs (Foundation-free).

/// One parameter of every kind the registry declares, with the ranges that stress conversions:
/// an integer range up to `Int.max` (whose upper bound is not a Double), a closed real range,
/// optional values with their "automatic" words, a choice, an array.
struct FuzzParameters: MethodParameters {
    enum Mode: String, CaseIterable, Sendable { case fast, exact }
    var real = 1.0
    var whole = 3
    var huge = 0
    var optionalReal: Double? = nil
    var optionalWhole: Int? = nil
    var flag = false
    var mode = Mode.fast
    var optionalMode: Mode? = nil
    var list: [Double] = []

    static let declarations: [ParameterDeclaration<Self>] = [
        .number("real", \.real, "a real in [−1e6, 1e6]", range: -1e6...1e6, check: { $0 == 0.5 ? "0.5 is refused" : nil }),
        .integer("whole", \.whole, "a whole number in 1…1e12", range: 1...1_000_000_000_000),
        .integer("huge", \.huge, "a whole number in 0…Int.max", range: 0...Int.max),
        .optionalNumber("optional_real", \.optionalReal, "a real or auto", range: 0...1, automatic: "auto"),
        .optionalInteger("optional_whole", \.optionalWhole, "a whole number or none", range: -5...5, automatic: "none"),
        .boolean("flag", \.flag, "a boolean"),
        .choice("mode", \.mode, "a choice"),
        .optionalChoice("optional_mode", \.optionalMode, "a choice or none", none: "none"),
        .array("list", \.list, "finite numbers", check: { $0.count > 4 ? "at most four" : nil }),
    ]
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    var values: [String: ParameterValue] = [:]
    for option in text.split(separator: "\n", omittingEmptySubsequences: false) {
        guard let eq = option.firstIndex(of: "=") else { continue }
        let name = String(option[..<eq]), valueText = String(option[option.index(after: eq)...])
        guard let value = try? ParameterValue(parsing: valueText) else { continue }
        // The printed spelling of a parsed number, boolean or array parses back to it.
        let printable: Bool
        switch value {
        case .number(let d): printable = !d.isNaN
        case .array(let a): printable = !a.contains { $0.isNaN }
        case .boolean: printable = true
        case .string: printable = false
        }
        if printable {
            let again = try? ParameterValue(parsing: value.description)
            precondition(again == value, "'\(valueText)' does not round-trip: \(value) → \(String(describing: again))")
        }
        guard let spec = FuzzParameters.specs.first(where: { $0.name == name }) else { continue }
        if let valid = try? spec.validate(value, method: "fuzz") { values[name] = valid }
    }
    // Whatever validated fills the typed struct inside its declared ranges, without a trap.
    let p = FuzzParameters(ParameterValues(values))
    precondition((-1e6...1e6).contains(p.real) && p.real != 0.5, "real out of range: \(p.real)")
    precondition((1...1_000_000_000_000).contains(p.whole), "whole out of range: \(p.whole)")
    precondition(p.huge >= 0, "huge out of range: \(p.huge)")
    precondition(p.optionalReal.map { (0...1).contains($0) } ?? true, "optional_real out of range")
    precondition(p.optionalWhole.map { (-5...5).contains($0) } ?? true, "optional_whole out of range")
    precondition(p.list.count <= 4 && p.list.allSatisfy(\.isFinite), "list accepted: \(p.list)")
    return 0
}
