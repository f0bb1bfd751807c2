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
        let plotWidth = 590.0, plotHeight = 460.0, left = 80.0, top = 40.0, bottom = 60.0
        let usable = points.filter { $0.throughput > 0 && $0.throughput.isFinite && !$0.error.isNaN }
        let errors = usable.map { min(max($0.error, floor), 1e3) }
        let speeds = usable.map(\.throughput)
        let x0 = log10((speeds.min() ?? 0.1) / 1.5), x1 = log10((speeds.max() ?? 10) * 1.5)
        let y0 = log10(errors.min() ?? floor) - 0.5, y1 = log10(errors.max() ?? 1) + 0.5
        func px(_ v: Double) -> Double { left + (log10(v) - x0) / max(x1 - x0, 1e-9) * plotWidth }
        func py(_ e: Double) -> Double { top + (y1 - log10(min(max(e, floor), 1e3))) / max(y1 - y0, 1e-9) * plotHeight }
        let frontIndices = front(usable)
        let onFront = Set(frontIndices)
        let at = usable.map { (x: px($0.throughput), y: py($0.error)) }

        // Labels: front points first, each at the first of eight places around its point that
        // overlaps no label placed before it and no point and stays inside the plot; then further
        // out, joined to the point by a leader line. A point with no such place gets a number,
        // explained in the key beside the plot.
        typealias Box = (x0: Double, y0: Double, x1: Double, y1: Double)
        func overlaps(_ a: Box, _ b: Box) -> Bool { a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }
        let markers: [Box] = at.map { ($0.x - 5, $0.y - 5, $0.x + 5, $0.y + 5) }
        var placed: [Box] = [], key: [(number: Int, label: String)] = []
        var labels: [(x: Double, y: Double, text: String, anchor: String, from: (x: Double, y: Double)?)] = []
        func place(_ i: Int, _ text: String) -> Bool {
            let w = PlotAxis.textWidth(text, fontSize: 9), (x, y) = at[i]
            var candidates: [(Box, Double, Double, String, Bool)] = [
                ((x + 6, y - 13, x + 6 + w, y - 3), x + 6, y - 5, "start", false), ((x + 6, y + 2, x + 6 + w, y + 12), x + 6, y + 10, "start", false),
                ((x - 6 - w, y - 13, x - 6, y - 3), x - 6, y - 5, "end", false), ((x - 6 - w, y + 2, x - 6, y + 12), x - 6, y + 10, "end", false),
                ((x - w / 2, y - 18, x + w / 2, y - 8), x, y - 10, "middle", false), ((x - w / 2, y + 8, x + w / 2, y + 18), x, y + 16, "middle", false),
                ((x + 8, y - 5, x + 8 + w, y + 5), x + 8, y + 3, "start", false), ((x - 8 - w, y - 5, x - 8, y + 5), x - 8, y + 3, "end", false),
            ]
            for radius in [24.0, 38, 54, 72, 95, 120] {
                for k in 0..<16 {
                    let angle = Double(k) * .pi / 8, (cx, cy) = (x + radius * cos(angle), y - radius * sin(angle))
                    let anchor = cos(angle) > 0.3 ? "start" : cos(angle) < -0.3 ? "end" : "middle"
                    let x0 = anchor == "start" ? cx : anchor == "end" ? cx - w : cx - w / 2
                    candidates.append(((x0, cy - 8, x0 + w, cy + 2), cx, cy, anchor, true))
                }
            }
            for (box, tx, ty, anchor, leader) in candidates {
                guard box.x0 >= left + 2, box.x1 <= left + plotWidth - 2, box.y0 >= top + 2, box.y1 <= top + plotHeight - 2 else { continue }
                if placed.contains(where: { overlaps($0, box) }) || markers.indices.contains(where: { $0 != i && overlaps(markers[$0], box) }) { continue }
                placed.append(box)
                labels.append((tx, ty, text, anchor, leader ? at[i] : nil))
                return true
            }
            return false
        }
        let order = usable.indices.sorted { (onFront.contains($0) ? 0 : 1, $0) < (onFront.contains($1) ? 0 : 1, $1) }
        for i in order where !place(i, usable[i].label) {
            key.append((key.count + 1, usable[i].label))
            if !place(i, String(key.count)) {
                labels.append((at[i].x + 6, at[i].y - 5, String(key.count), "start", nil))
            }
        }

        let legendTexts =
            ["on the Pareto front", "dominated", "replacement (distance)", "errors below \(Ranking.number(floor)) drawn at \(Ranking.number(floor))"]
            + key.map { "\($0.number)  \($0.label)" }
        let right = max(150, 30 + (legendTexts.map { PlotAxis.textWidth($0, fontSize: 11) }.max() ?? 0))
        let width = left + plotWidth + right, height = max(top + plotHeight + bottom, top + 110 + 15 * Double(key.count))
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(Int(left + plotWidth / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>\n"
        s += "<g class=\"x-ticks\" text-anchor=\"middle\">"
        for t in PlotAxis.logTicks(low: x0, high: x1, pixels: plotWidth) {
            let x = px(t.value)
            s += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(top + plotHeight)\" stroke=\"\(t.major ? "#ddd" : "#f0f0f0")\"/>"
            if !t.label.isEmpty { s += "<text x=\"\(x)\" y=\"\(top + plotHeight + 16)\">\(t.label)</text>" }
        }
        s += "</g>\n<g class=\"y-ticks\" text-anchor=\"end\">"
        for t in PlotAxis.logTicks(low: y0, high: y1, pixels: plotHeight) {
            let y = py(t.value)
            s += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + plotWidth)\" y2=\"\(y)\" stroke=\"\(t.major ? "#ddd" : "#f0f0f0")\"/>"
            if !t.label.isEmpty { s += "<text x=\"\(left - 6)\" y=\"\(y + 4)\">\(t.label)</text>" }
        }
        s += "</g>\n"
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#444\"/>\n"
        s += "<text x=\"\(left + plotWidth / 2)\" y=\"\(top + plotHeight + 42)\" text-anchor=\"middle\">throughput, GB/s (log scale; faster →)</text>\n"
        s +=
            "<text transform=\"translate(20 \(top + plotHeight / 2)) rotate(-90)\" text-anchor=\"middle\">\(escape(errorLabel)) (log scale; better ↓)</text>\n"
        if frontIndices.count > 1 {
            let path = frontIndices.map { "\(at[$0].x),\(at[$0].y)" }.joined(separator: " ")
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n"
        }
        // The front's points last, so that a dominated point lying on one never hides it.
        for i in usable.indices.filter({ !onFront.contains($0) }) + frontIndices {
            let p = usable[i]
            let colour = p.hollow ? "#7f7f7f" : onFront.contains(i) ? "#d62728" : "#1f77b4"
            s +=
                "<circle cx=\"\(at[i].x)\" cy=\"\(at[i].y)\" r=\"4.5\" fill=\"\(p.hollow ? "white" : colour)\" stroke=\"\(colour)\" stroke-width=\"1.5\"><title>\(escape(p.label)): \(String(format: "%.2f", p.throughput)) GB/s, \(Ranking.number(p.error))</title></circle>\n"
        }
        s += "<g class=\"point-labels\" font-size=\"9\" fill=\"#333\">"
        for l in labels {
            if let from = l.from {
                // The leader ends at the label's near edge, level with the middle of its text.
                s += "<line x1=\"\(from.x)\" y1=\"\(from.y)\" x2=\"\(l.x)\" y2=\"\(l.y - 3)\" stroke=\"#999\" stroke-width=\"0.7\"/>"
            }
            s += "<text x=\"\(l.x)\" y=\"\(l.y)\" text-anchor=\"\(l.anchor)\">\(escape(l.text))</text>\n"
        }
        s += "</g>\n"
        let lx = left + plotWidth + 15
        s += "<g class=\"legend\">"
        s += "<circle cx=\"\(lx)\" cy=\"\(top + 10)\" r=\"4.5\" fill=\"#d62728\"/><text x=\"\(lx + 10)\" y=\"\(top + 14)\">\(legendTexts[0])</text>\n"
        s += "<circle cx=\"\(lx)\" cy=\"\(top + 30)\" r=\"4.5\" fill=\"#1f77b4\"/><text x=\"\(lx + 10)\" y=\"\(top + 34)\">\(legendTexts[1])</text>\n"
        s +=
            "<circle cx=\"\(lx)\" cy=\"\(top + 50)\" r=\"4.5\" fill=\"white\" stroke=\"#7f7f7f\" stroke-width=\"1.5\"/><text x=\"\(lx + 10)\" y=\"\(top + 54)\">\(legendTexts[2])</text>\n"
        s += "<text x=\"\(lx - 5)\" y=\"\(top + 78)\" font-size=\"10\" fill=\"#555\">\(escape(legendTexts[3]))</text>\n"
        for (k, entry) in key.enumerated() {
            s += "<text x=\"\(lx - 5)\" y=\"\(top + 100 + 15 * Double(k))\">\(escape("\(entry.number)  \(entry.label)"))</text>\n"
        }
        return s + "</g></svg>\n"
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
