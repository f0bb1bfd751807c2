/// Plain-text tables for the terminal, in Markdown pipe syntax so they paste into documents.
public enum Table {
    /// One row: `| a | b | c |`.
    public static func row(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }

    /// A header, its separator, and the rows, with columns padded to equal width.
    public static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        func pad(_ cells: [String]) -> String {
            "| " + cells.enumerated().map { $1 + String(repeating: " ", count: widths[$0] - $1.count) }.joined(separator: " | ") + " |"
        }
        let separator = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
        return ([pad(header), separator] + rows.map(pad)).joined(separator: "\n")
    }
}
