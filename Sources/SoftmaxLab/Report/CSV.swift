import Foundation

/// The lab's results as CSV tables (one row per variant × workload, plus an "all" row per
/// variant), for spreadsheets and pandas.
public enum CSV {
    static func field(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func number(_ v: Double) -> String { v.isNaN ? "nan" : v.isInfinite ? (v > 0 ? "inf" : "-inf") : "\(v)" }

    /// One row per distribution-valued variant and workload (and `all`), with every metric and the speed.
    public static func normalizers(_ r: LabResults) -> String {
        var lines = ["variant,id,replacement,workload,rows,max_tv,mean_tv,mean_kl,max_kl,max_abs,max_rel,top1_agreement,max_row_sum_error,nan_rows,gbps"]
        for e in r.normalizers {
            for (workload, m) in [("all", e.overall)] + e.workloads.sorted(by: { $0.key < $1.key }) {
                lines.append(
                    [
                        field(e.variant), e.id, String(e.replacement), field(workload), String(m.rows), number(m.maxTotalVariation),
                        number(m.meanTotalVariation), number(m.meanKL), number(m.maxKL), number(m.maxAbsolute), number(m.maxRelative),
                        number(m.top1Agreement), number(m.maxRowSumError), String(m.nanRows), e.speed.map { number($0.gbps) } ?? "",
                    ]
                    .joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per element-wise variant and workload (and `all`), with every metric and the speed.
    public static func elementwise(_ r: LabResults) -> String {
        var lines = ["variant,id,reference,replacement,workload,count,max_abs,mean_abs,max_rel,max_ulp,worst_x,nan_count,gbps"]
        for e in r.elementwise {
            for (workload, m) in [("all", e.overall)] + e.workloads.sorted(by: { $0.key < $1.key }) {
                lines.append(
                    [
                        field(e.variant), e.id, e.reference, String(e.replacement), field(workload), String(m.count), number(m.maxAbsolute),
                        number(m.meanAbsolute), number(m.maxRelative), number(m.maxULP), number(m.worstArgument), String(m.nanCount),
                        e.speed.map { number($0.gbps) } ?? "",
                    ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
