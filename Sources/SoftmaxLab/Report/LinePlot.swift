import Foundation

/// An SVG line plot on log–log axes: one line per series (error or time against length), with a
/// legend. Self-contained like `ParetoPlot`.
public enum LinePlot {
    /// One line of the plot.
    public struct Series: Sendable {
        /// The legend's text.
        public var label: String
        /// The points, in x order; non-positive values are left out (log axes).
        public var points: [(x: Double, y: Double)]
        /// Drawn dashed (replacements).
        public var dashed: Bool
        /// Series with the same colour index share a colour (default: their position).
        public var colour: Int?

        /// A series named `label`.
        public init(label: String, points: [(x: Double, y: Double)], dashed: Bool = false, colour: Int? = nil) {
            self.label = label
            self.points = points
            self.dashed = dashed
            self.colour = colour
        }
    }

    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf", "#bcbd22"]

    /// A marker of shape `shape` (circle, square, triangle, diamond, cross, in turn) centred at
    /// (`x`, `y`): lines that coincide still show every series' markers.
    static func marker(_ shape: Int, x: Double, y: Double, colour: String, size: Double = 3.2) -> String {
        let (a, b) = (String(format: "%.1f", x), String(format: "%.1f", y))
        switch shape % 5 {
        case 0: return "<circle cx=\"\(a)\" cy=\"\(b)\" r=\"\(size)\" fill=\"\(colour)\"/>"
        case 1:
            return
                "<rect x=\"\(String(format: "%.1f", x - size))\" y=\"\(String(format: "%.1f", y - size))\" width=\"\(2 * size)\" height=\"\(2 * size)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.3\"/>"
        case 2:
            let h = 1.25 * size
            return
                "<polygon points=\"\(a),\(String(format: "%.1f", y - h)) \(String(format: "%.1f", x - h)),\(String(format: "%.1f", y + 0.8 * h)) \(String(format: "%.1f", x + h)),\(String(format: "%.1f", y + 0.8 * h))\" fill=\"\(colour)\"/>"
        case 3:
            let h = 1.35 * size
            return
                "<polygon points=\"\(a),\(String(format: "%.1f", y - h)) \(String(format: "%.1f", x + h)),\(b) \(a),\(String(format: "%.1f", y + h)) \(String(format: "%.1f", x - h)),\(b)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.3\"/>"
        default:
            let h = size
            return
                "<path d=\"M\(String(format: "%.1f", x - h)),\(String(format: "%.1f", y - h))L\(String(format: "%.1f", x + h)),\(String(format: "%.1f", y + h))M\(String(format: "%.1f", x - h)),\(String(format: "%.1f", y + h))L\(String(format: "%.1f", x + h)),\(String(format: "%.1f", y - h))\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>"
        }
    }

    /// - Parameters:
    ///   - logY: log-scaled y axis (decades); otherwise linear from 0 (or the minimum, if negative).
    ///   - logX: log-scaled x axis; otherwise linear, a tick at every whole x (layers, steps).
    public static func svg(_ series: [Series], title: String, xLabel: String, yLabel: String, logY: Bool = true, logX: Bool = true) -> String {
        let plotWidth = 570.0, plotHeight = 420.0, left = 80.0, top = 40.0, bottom = 60.0
        // The legend's column is as wide as its longest label, and the page as tall as its rows.
        let longest = series.map { PlotAxis.textWidth($0.label, fontSize: 11) }.max() ?? 0
        let right = max(120, 60 + longest + 10)
        let width = left + plotWidth + right, height = max(top + plotHeight + bottom, top + 20 + 18 * Double(series.count))
        func shown(_ p: (x: Double, y: Double)) -> Bool { (!logX || p.x > 0) && (!logY || p.y > 0) && p.x.isFinite && p.y.isFinite }
        func fx(_ v: Double) -> Double { logX ? log10(v) : v }
        let all = series.flatMap(\.points).filter(shown)
        let xs = Set(all.map(\.x)).sorted()
        // One x value (a recorded row of one length): a wider range, so the axis shows a scale.
        let pad = xs.count < 2 ? (logX ? 0.4 : 2) : (logX ? 0.05 : 0.5)
        let x0 = fx(all.map(\.x).min() ?? 1) - pad, x1 = fx(all.map(\.x).max() ?? 10) + pad
        let yTicks: [PlotAxis.Tick], y0: Double, y1: Double
        if logY {
            let low = log10(all.map(\.y).min() ?? 1e-3), high = log10(all.map(\.y).max() ?? 1)
            (y0, y1) = (low.rounded(.down), max(high.rounded(.up), low.rounded(.down) + 1))
            yTicks = PlotAxis.logTicks(low: y0, high: y1, pixels: plotHeight)
        } else {
            let axis = PlotAxis.linear(low: min(0, all.map(\.y).min() ?? 0), high: all.map(\.y).max() ?? 1)
            (y0, y1, yTicks) = (axis.low, axis.high, axis.ticks)
        }
        func px(_ v: Double) -> Double { left + (fx(v) - x0) / max(x1 - x0, 1e-9) * plotWidth }
        func py(_ v: Double) -> Double { top + (y1 - (logY ? log10(v) : v)) / max(y1 - y0, 1e-9) * plotHeight }
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(Int(left + plotWidth / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(ParetoPlot.escape(title))</text>\n"
        // A tick at every x where there are few (lengths, layers), else a scale; never fewer than two.
        let xTicks: [PlotAxis.Tick]
        if xs.count >= 2 && xs.count <= 12 {
            xTicks = PlotAxis.at(xs)
        } else if logX {
            xTicks = PlotAxis.logTicks(low: x0, high: x1, pixels: plotWidth)
        } else {
            xTicks = PlotAxis.linear(low: x0, high: x1, count: 10).ticks.filter { $0.value >= x0 && $0.value <= x1 }
        }
        s += "<g class=\"x-ticks\" text-anchor=\"middle\">"
        for t in xTicks {
            s += "<line x1=\"\(px(t.value))\" y1=\"\(top)\" x2=\"\(px(t.value))\" y2=\"\(top + plotHeight)\" stroke=\"#eee\"/>"
            if !t.label.isEmpty { s += "<text x=\"\(px(t.value))\" y=\"\(top + plotHeight + 16)\">\(t.label)</text>" }
        }
        s += "</g>\n<g class=\"y-ticks\" text-anchor=\"end\">"
        for t in yTicks {
            s += "<line x1=\"\(left)\" y1=\"\(py(t.value))\" x2=\"\(left + plotWidth)\" y2=\"\(py(t.value))\" stroke=\"\(t.major ? "#ddd" : "#f0f0f0")\"/>"
            if !t.label.isEmpty { s += "<text x=\"\(left - 6)\" y=\"\(py(t.value) + 4)\">\(t.label)</text>" }
        }
        s += "</g>\n"
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#444\"/>\n"
        s += "<text x=\"\(left + plotWidth / 2)\" y=\"\(top + plotHeight + 42)\" text-anchor=\"middle\">\(ParetoPlot.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(20 \(top + plotHeight / 2)) rotate(-90)\" text-anchor=\"middle\">\(ParetoPlot.escape(yLabel))</text>\n"
        var legend = "<g class=\"legend\">"
        for (k, line) in series.enumerated() {
            let colour = colours[(line.colour ?? k) % colours.count]
            let pts = line.points.filter(shown)
            let path = pts.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ")
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "")/>\n"
            for p in pts { s += marker(k, x: px(p.x), y: py(p.y), colour: colour) }
            s += "\n"
            let lx = left + plotWidth + 12, ly = top + 10 + Double(k) * 18
            legend +=
                "<line x1=\"\(lx)\" y1=\"\(ly)\" x2=\"\(lx + 30)\" y2=\"\(ly)\" stroke=\"\(colour)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "")/>"
            legend += marker(k, x: lx + 15, y: ly, colour: colour)
            legend += "<text x=\"\(lx + 38)\" y=\"\(ly + 4)\">\(ParetoPlot.escape(line.label))</text>\n"
        }
        return s + legend + "</g></svg>\n"
    }

    /// The attention experiment's plot: relative error against N, one line per engine (dashed:
    /// replacements, whose figure is a distance).
    public static func attentionError(_ points: [AttentionLengthExperiment.Point], workload: String) -> String {
        let engines = points.filter { $0.workload == workload }.map(\.engine).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let series = engines.map { e in
            let ps = points.filter { $0.workload == workload && $0.engine == e }
            return Series(label: e, points: ps.map { (Double($0.n), $0.relativeError) }, dashed: ps.first?.replacement ?? false)
        }
        return svg(
            series, title: "Attention: relative error against exact softmax attention (\(workload))",
            xLabel: "sequence length N (log scale)", yLabel: "‖out − exact‖ / ‖exact‖ (log scale)")
    }
}
