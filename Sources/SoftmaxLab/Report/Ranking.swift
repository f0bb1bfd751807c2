import Foundation

/// How the lab orders its results, and the terminal tables that show them.
///
/// Approximations of softmax are ranked by their worst total variation from the exact softmax
/// (bounded, and finite even for sparse outputs), ties by speed. Replacements (StableMax,
/// sparsemax, entmax, base-2 softmax, ...) are not meant to equal softmax: they are listed
/// apart, ordered by their mean distance from it. Element-wise methods are ranked by their
/// worst absolute error against their reference function (GELU, SiLU or exp).
public enum Ranking {
    /// The approximations of softmax, best (smallest worst-case total variation) first, ties by speed.
    public static func approximations(_ r: LabResults) -> [LabResults.NormalizerEntry] {
        r.normalizers.filter { !$0.replacement }.sorted {
            ($0.overall.maxTotalVariation, -($0.speed?.gbps ?? 0)) < ($1.overall.maxTotalVariation, -($1.speed?.gbps ?? 0))
        }
    }

    /// The replacements of softmax, by mean total variation from it.
    public static func replacements(_ r: LabResults) -> [LabResults.NormalizerEntry] {
        r.normalizers.filter(\.replacement).sorted { $0.overall.meanTotalVariation < $1.overall.meanTotalVariation }
    }

    /// Element-wise entries grouped by reference function (gelu, silu, exp), each group ranked.
    public static func elementwise(_ r: LabResults) -> [(reference: String, entries: [LabResults.ElementwiseEntry])] {
        let order = ["gelu", "silu", "exp"]
        return Dictionary(grouping: r.elementwise, by: \.reference)
            .sorted { (order.firstIndex(of: $0.key) ?? 9) < (order.firstIndex(of: $1.key) ?? 9) }
            .map { ($0.key, $0.value.sorted { ($0.replacement ? 1 : 0, $0.overall.maxAbsolute) < ($1.replacement ? 1 : 0, $1.overall.maxAbsolute) }) }
    }

    /// The speed of the exact softmax in the same run (the yardstick of the "× exact" column).
    public static func exactSoftmaxSpeed(_ r: LabResults) -> Double? {
        r.normalizers.first { $0.variant == "softmax" }?.speed?.gbps
    }

    /// Scientific notation with 2 significant digits; ∞ and NaN spelled out.
    public static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "∞" : "−∞" }
        if v == 0 { return "0" }
        return String(format: "%.1e", v)
    }

    static func speed(_ p: Throughput.Point?) -> String { p.map { String(format: "%.2f", $0.gbps) } ?? "–" }

    static func relative(_ p: Throughput.Point?, _ base: Double?) -> String {
        guard let p, let base, base > 0 else { return "–" }
        return String(format: "%.2f×", p.gbps / base)
    }

    /// Table rows for `entries`; `exact` is the exact softmax's GB/s for the "× exact" column.
    public static func normalizerRows(_ entries: [LabResults.NormalizerEntry], exact: Double?) -> [[String]] {
        entries.enumerated().map { k, e in
            [
                String(k + 1), e.variant, number(e.overall.maxTotalVariation), number(e.overall.meanKL), number(e.overall.maxRelative),
                String(format: "%.3f", e.overall.top1Agreement), number(e.overall.maxRowSumError), speed(e.speed), relative(e.speed, exact),
            ]
        }
    }

    /// The header of `normalizerRows`.
    public static let normalizerHeader = ["rank", "variant", "max TV", "mean KL", "max rel err", "top-1", "max |Σy−1|", "GB/s (L2)", "× exact"]

    /// Table rows for element-wise entries, in the order given.
    public static func elementwiseRows(_ entries: [LabResults.ElementwiseEntry]) -> [[String]] {
        entries.enumerated().map { k, e in
            [
                String(k + 1), e.variant + (e.replacement ? " (replacement)" : ""), number(e.overall.maxAbsolute), number(e.overall.meanAbsolute),
                number(e.overall.maxRelative), number(e.overall.maxULP), String(format: "%.4g", e.overall.worstArgument), speed(e.speed),
            ]
        }
    }

    /// The header of `elementwiseRows`.
    public static let elementwiseHeader = ["rank", "variant", "max |err|", "mean |err|", "max rel err", "max ULP (f32)", "worst x", "GB/s (L2)"]

    /// Everything, as Markdown tables for the terminal.
    public static func terminalReport(_ r: LabResults) -> String {
        var out: [String] = []
        let copy = r.machine.copyGBps.isNaN ? "not measured" : String(format: "%.1f GB/s", r.machine.copyGBps)
        out.append(
            "SoftmaxKit lab: float32 against float64 references; \(r.machine.cores) cores, copy bandwidth \(copy), "
                + "speed on \(r.settings.speedShape.map(String.init).joined(separator: " × ")) elements (L2), \(r.settings.threads) thread(s)")
        out.append(
            "workloads: \(r.settings.logitWorkloads.joined(separator: ", ")); row lengths \(r.settings.lengths.map(String.init).joined(separator: ", "))\n")
        let exact = exactSoftmaxSpeed(r)
        let approximations = approximations(r)
        if !approximations.isEmpty {
            out.append("Softmax and its approximations — error against the exact softmax (ranked by max total variation):")
            out.append(Table.render(header: normalizerHeader, rows: normalizerRows(approximations, exact: exact)) + "\n")
        }
        let replacements = replacements(r)
        if !replacements.isEmpty {
            out.append("Replacements — not meant to equal softmax; DISTANCE from softmax, not error (ranked by mean total variation):")
            out.append(Table.render(header: normalizerHeader, rows: normalizerRows(replacements, exact: exact)) + "\n")
        }
        for (reference, entries) in elementwise(r) {
            out.append("Element-wise methods against \(reference) (ranked by max absolute error; replacements last, their figures a distance):")
            out.append(Table.render(header: elementwiseHeader, rows: elementwiseRows(entries)) + "\n")
        }
        return out.joined(separator: "\n")
    }
}
