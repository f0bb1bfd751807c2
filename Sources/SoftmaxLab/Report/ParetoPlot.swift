import Foundation

/// An SVG scatter plot of error against throughput, both on log scales, with the Pareto front
/// (the points no other point beats on both speed and error) joined by a line. Self-contained:
/// no scripts, no fonts to fetch.
public enum ParetoPlot {
    /// One method on the plot.
    public struct Point: Sendable {
        /// The text beside the point.
        public var label: String
        /// GB/s (x axis).
        public var throughput: Double
        /// The error or distance (y axis).
        public var error: Double
        /// Drawn hollow: replacements, whose "error" is a distance.
        public var hollow: Bool

        /// A point for `label` at (`throughput`, `error`).
        public init(label: String, throughput: Double, error: Double, hollow: Bool = false) {
            self.label = label
            self.throughput = throughput
            self.error = error
            self.hollow = hollow
        }
    }

    /// The indices of the Pareto-optimal points among the filled ones: faster first, each with a
    /// smaller error than every faster point.
    public static func front(_ points: [Point]) -> [Int] {
        let order = points.indices.filter { !points[$0].hollow && points[$0].throughput > 0 }
            .sorted { (points[$0].throughput, -points[$0].error) > (points[$1].throughput, -points[$1].error) }
        var best = Double.infinity, result: [Int] = []
        for i in order where points[i].error < best {
            best = points[i].error
            result.append(i)
        }
        return result
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// The plot as an SVG document; errors below `floor` are drawn at `floor`.
    public static func svg(_ points: [Point], title: String, errorLabel: String, floor: Double = 1e-10) -> String {
        let width = 900.0, height = 560.0, left = 80.0, right = 230.0, top = 40.0, bottom = 60.0
        let usable = points.filter { $0.throughput > 0 && $0.throughput.isFinite && !$0.error.isNaN }
        let errors = usable.map { min(max($0.error, floor), 1e3) }
        let speeds = usable.map(\.throughput)
        let x0 = log10((speeds.min() ?? 0.1) / 1.5), x1 = log10((speeds.max() ?? 10) * 1.5)
        let y0 = log10(errors.min() ?? floor) - 0.5, y1 = log10(errors.max() ?? 1) + 0.5
        func px(_ v: Double) -> Double { left + (log10(v) - x0) / max(x1 - x0, 1e-9) * (width - left - right) }
        func py(_ e: Double) -> Double { top + (y1 - log10(min(max(e, floor), 1e3))) / max(y1 - y0, 1e-9) * (height - top - bottom) }
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(Int(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>\n"
        // Grid lines at powers of ten.
        for k in Int(x0.rounded(.up))...max(Int(x0.rounded(.up)), Int(x1.rounded(.down))) {
            let x = px(pow(10, Double(k)))
            s += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(height - bottom)\" stroke=\"#ddd\"/>"
            s +=
                "<text x=\"\(x)\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(k >= 0 ? String(Int(pow(10, Double(k)))) : String(pow(10, Double(k))))</text>\n"
        }
        for k in Int(y0.rounded(.up))...max(Int(y0.rounded(.up)), Int(y1.rounded(.down))) {
            let y = py(pow(10, Double(k)))
            s += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - right)\" y2=\"\(y)\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">1e\(k)</text>\n"
        }
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width - left - right)\" height=\"\(height - top - bottom)\" fill=\"none\" stroke=\"#444\"/>\n"
        s += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 18)\" text-anchor=\"middle\">throughput, GB/s (log scale; faster →)</text>\n"
        s +=
            "<text transform=\"translate(20 \((top + height - bottom) / 2)) rotate(-90)\" text-anchor=\"middle\">\(escape(errorLabel)) (log scale; better ↓)</text>\n"
        let frontIndices = front(usable)
        if frontIndices.count > 1 {
            let path = frontIndices.map { "\(px(usable[$0].throughput)),\(py(usable[$0].error))" }.joined(separator: " ")
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n"
        }
        // Labels: front points first; a label that would overlap one already placed moves down a
        // line (up to three times) or is left to the point's tooltip.
        var placed: [(x0: Double, y0: Double, x1: Double, y1: Double)] = []
        let order = usable.indices.sorted { (frontIndices.contains($0) ? 0 : 1, $0) < (frontIndices.contains($1) ? 0 : 1, $1) }
        for i in order {
            let p = usable[i]
            let onFront = frontIndices.contains(i)
            let colour = p.hollow ? "#7f7f7f" : onFront ? "#d62728" : "#1f77b4"
            let fill = p.hollow ? "white" : colour
            let (x, y) = (px(p.throughput), py(p.error))
            s +=
                "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"4.5\" fill=\"\(fill)\" stroke=\"\(colour)\" stroke-width=\"1.5\"><title>\(escape(p.label)): \(String(format: "%.2f", p.throughput)) GB/s, \(Ranking.number(p.error))</title></circle>\n"
            let width = 5.0 * Double(p.label.count)
            for shift in 0..<4 {
                let box = (x0: x + 6, y0: y - 13 + 10 * Double(shift), x1: x + 6 + width, y1: y - 3 + 10 * Double(shift))
                if placed.contains(where: { box.x0 < $0.x1 && $0.x0 < box.x1 && box.y0 < $0.y1 && $0.y0 < box.y1 }) { continue }
                placed.append(box)
                s += "<text x=\"\(box.x0)\" y=\"\(box.y1 - 2)\" font-size=\"9\" fill=\"#333\">\(escape(p.label))</text>\n"
                break
            }
        }
        // Legend.
        let lx = width - right + 15
        s += "<circle cx=\"\(lx)\" cy=\"\(top + 10)\" r=\"4.5\" fill=\"#d62728\"/><text x=\"\(lx + 10)\" y=\"\(top + 14)\">on the Pareto front</text>\n"
        s += "<circle cx=\"\(lx)\" cy=\"\(top + 30)\" r=\"4.5\" fill=\"#1f77b4\"/><text x=\"\(lx + 10)\" y=\"\(top + 34)\">dominated</text>\n"
        s +=
            "<circle cx=\"\(lx)\" cy=\"\(top + 50)\" r=\"4.5\" fill=\"white\" stroke=\"#7f7f7f\" stroke-width=\"1.5\"/><text x=\"\(lx + 10)\" y=\"\(top + 54)\">replacement (distance)</text>\n"
        s +=
            "<text x=\"\(lx - 5)\" y=\"\(top + 78)\" font-size=\"10\" fill=\"#555\">errors below \(Ranking.number(floor)) drawn at \(Ranking.number(floor))</text>\n"
        s += "</svg>\n"
        return s
    }

    /// The normalizers' plot: max total variation from softmax against L2 throughput.
    public static func normalizers(_ r: LabResults) -> String {
        svg(
            r.normalizers.compactMap { e in
                e.speed.map { Point(label: e.variant, throughput: $0.gbps, error: e.overall.maxTotalVariation, hollow: e.replacement) }
            }, title: "Normalizers: error × speed (float32)", errorLabel: "max total variation from softmax")
    }

    /// The element-wise methods with one reference function: max absolute error against it.
    public static func elementwise(_ entries: [LabResults.ElementwiseEntry], reference: String) -> String {
        svg(
            entries.compactMap { e in
                e.speed.map { Point(label: e.variant, throughput: $0.gbps, error: e.overall.maxAbsolute, hollow: e.replacement) }
            }, title: "Against \(reference): error × speed (float32)", errorLabel: "max |error| vs \(reference)")
    }
}
