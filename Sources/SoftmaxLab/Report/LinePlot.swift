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

    /// - Parameters:
    ///   - logY: log-scaled y axis (decades); otherwise linear from 0 (or the minimum, if negative).
    ///   - logX: log-scaled x axis; otherwise linear, a tick at every whole x (layers, steps).
    public static func svg(_ series: [Series], title: String, xLabel: String, yLabel: String, logY: Bool = true, logX: Bool = true) -> String {
        let width = 900.0, height = 520.0, left = 80.0, right = 250.0, top = 40.0, bottom = 60.0
        func shown(_ p: (x: Double, y: Double)) -> Bool { (!logX || p.x > 0) && (!logY || p.y > 0) && p.x.isFinite && p.y.isFinite }
        func fx(_ v: Double) -> Double { logX ? log10(v) : v }
        let all = series.flatMap(\.points).filter(shown)
        let pad = logX ? 0.05 : 0.5
        let x0 = fx(all.map(\.x).min() ?? 1) - pad, x1 = fx(all.map(\.x).max() ?? 10) + pad
        let y0 = logY ? floor(log10(all.map(\.y).min() ?? 1e-3)) : min(0, all.map(\.y).min() ?? 0)
        let y1 = logY ? ceil(log10(all.map(\.y).max() ?? 1)) : max(all.map(\.y).max() ?? 1, y0 + 1e-9)
        func px(_ v: Double) -> Double { left + (fx(v) - x0) / max(x1 - x0, 1e-9) * (width - left - right) }
        func py(_ v: Double) -> Double { top + (y1 - (logY ? log10(v) : v)) / max(y1 - y0, 1e-9) * (height - top - bottom) }
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(Int(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(ParetoPlot.escape(title))</text>\n"
        var xs = Set(all.map(\.x)).sorted()
        if xs.count > 12 && logX {
            // Many points (training curves): 1-2-5 ticks per decade instead of one per point.
            xs = (Int(floor(x0))...Int(ceil(x1))).flatMap { k in [1.0, 2, 5].map { $0 * pow(10, Double(k)) } }
                .filter { log10($0) >= x0 && log10($0) <= x1 }
        } else if xs.count > 12, let low = xs.first, let high = xs.last {
            // Many points on a linear axis (iterations): about ten ticks at 1-2-5 multiples.
            let raw = (high - low) / 10, magnitude = pow(10, floor(log10(raw)))
            let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
            xs = Array(stride(from: ceil(low / step) * step, through: high, by: step))
        }
        for x in xs {
            s += "<line x1=\"\(px(x))\" y1=\"\(top)\" x2=\"\(px(x))\" y2=\"\(height - bottom)\" stroke=\"#eee\"/>"
            s += "<text x=\"\(px(x))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(Int(x))</text>\n"
        }
        if logY, y1 > y0 {
            for k in Int(y0)...Int(y1) {
                s += "<line x1=\"\(left)\" y1=\"\(py(pow(10, Double(k))))\" x2=\"\(width - right)\" y2=\"\(py(pow(10, Double(k))))\" stroke=\"#ddd\"/>"
                s += "<text x=\"\(left - 6)\" y=\"\(py(pow(10, Double(k))) + 4)\" text-anchor=\"end\">1e\(k)</text>\n"
            }
        } else if !logY {
            for k in 0...5 {
                let v = y0 + (y1 - y0) * Double(k) / 5
                s += "<line x1=\"\(left)\" y1=\"\(py(v))\" x2=\"\(width - right)\" y2=\"\(py(v))\" stroke=\"#ddd\"/>"
                s += "<text x=\"\(left - 6)\" y=\"\(py(v) + 4)\" text-anchor=\"end\">\(String(format: "%.3g", v))</text>\n"
            }
        }
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width - left - right)\" height=\"\(height - top - bottom)\" fill=\"none\" stroke=\"#444\"/>\n"
        s += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 18)\" text-anchor=\"middle\">\(ParetoPlot.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(20 \((top + height - bottom) / 2)) rotate(-90)\" text-anchor=\"middle\">\(ParetoPlot.escape(yLabel))</text>\n"
        for (k, line) in series.enumerated() {
            let colour = colours[(line.colour ?? k) % colours.count]
            let pts = line.points.filter(shown)
            let path = pts.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ")
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "")/>\n"
            for p in pts { s += "<circle cx=\"\(px(p.x))\" cy=\"\(py(p.y))\" r=\"3\" fill=\"\(colour)\"/>" }
            let ly = top + 10 + Double(k) * 18
            s +=
                "<line x1=\"\(width - right + 12)\" y1=\"\(ly)\" x2=\"\(width - right + 36)\" y2=\"\(ly)\" stroke=\"\(colour)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "")/>"
            s += "<text x=\"\(width - right + 42)\" y=\"\(ly + 4)\">\(ParetoPlot.escape(line.label))</text>\n"
        }
        return s + "</svg>\n"
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
