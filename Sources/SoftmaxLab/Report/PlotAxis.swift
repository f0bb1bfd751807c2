import Foundation

/// Where the report's plots put their ticks, and what the ticks say. Every axis gets at least two
/// labelled ticks, so a value can be read off it: log axes a tick at every decade, with 2 and 5
/// added where the range holds less than two decades or a decade is wide on the page (every digit
/// where it is wider still); linear axes ticks at 1-2-5 steps with the range rounded out to them, and constant data a
/// range around the value (zero: 0…1), never a range of width 1e−9.
enum PlotAxis {
    /// One tick: its value, its text, and whether it is a decade (drawn darker) or a minor tick.
    struct Tick: Equatable {
        var value: Double
        var label: String
        var major: Bool
    }

    /// Ticks for a log axis spanning 10^`low`…10^`high` (log10 bounds) over `pixels` of the page.
    static func logTicks(low: Double, high: Double, pixels: Double) -> [Tick] {
        guard low.isFinite, high.isFinite, high > low else { return [] }
        let decades = Int(low.rounded(.down))...Int(high.rounded(.up))
        func inside(_ v: Double) -> Bool { log10(v) >= low - 1e-9 && log10(v) <= high + 1e-9 }
        var ticks = decades.map { pow(10, Double($0)) }.filter(inside).map { Tick(value: $0, label: label($0), major: true) }
        let perDecade = pixels / (high - low)
        if ticks.count < 2 || perDecade >= 150 {
            for k in decades {
                for m in [2.0, 5] where inside(m * pow(10, Double(k))) {
                    ticks.append(Tick(value: m * pow(10, Double(k)), label: label(m * pow(10, Double(k))), major: false))
                }
            }
        }
        if ticks.count < 2 || perDecade >= 400 {
            for k in decades {
                for m in [3.0, 4, 6, 7, 8, 9] where inside(m * pow(10, Double(k))) {
                    ticks.append(Tick(value: m * pow(10, Double(k)), label: label(m * pow(10, Double(k))), major: false))
                }
            }
        }
        ticks.sort { $0.value < $1.value }
        // Many decades on a short axis: keep every decade's line, label every n-th.
        let labelled = ticks.filter(\.major).count
        if labelled > 1, pixels / Double(labelled) < 28 {
            let every = Int((28 * Double(labelled) / pixels).rounded(.up))
            for i in ticks.indices where ticks[i].major && Int(log10(ticks[i].value).rounded()) % every != 0 { ticks[i].label = "" }
        }
        return ticks
    }

    /// A linear axis over the data range `low`…`high`: the range rounded out to a 1-2-5 step giving
    /// about `count` intervals, and a labelled tick at each step.
    static func linear(low: Double, high: Double, count: Int = 5) -> (low: Double, high: Double, ticks: [Tick]) {
        var (low, high) = (low.isFinite ? low : 0, high.isFinite ? high : 1)
        if high - low <= 1e-12 * max(abs(low), abs(high), 1) {
            // Constant data: a range around the value that a reader recognises.
            (low, high) = low == 0 ? (0, 1) : low > 0 ? (0, 2 * low) : (2 * low, 0)
        }
        let raw = (high - low) / Double(max(count, 1)), magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) } ?? 10 * magnitude
        let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
        let decimals = max(0, -Int(log10(step).rounded(.down)))
        let ticks = stride(from: first, through: last, by: 1).map { k in
            Tick(value: k * step, label: String(format: "%.\(decimals)f", k * step == 0 ? 0 : k * step), major: true)
        }
        return (first * step, last * step, ticks)
    }

    /// Ticks at given positions (the points of a short series), labelled with their values.
    static func at(_ values: [Double]) -> [Tick] { values.map { Tick(value: $0, label: label($0), major: true) } }

    /// A tick value as a reader writes it: plain from 0.01 to 99 999, else `2e-5` style.
    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e-2 && abs(v) < 1e5 {
            var s = String(format: "%.6f", v)
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
            return s
        }
        let exponent = Int(log10(abs(v)).rounded(.down))
        var mantissa = String(format: "%.2f", v / pow(10, Double(exponent)))
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
        return "\(mantissa)e\(exponent)"
    }

    /// The width in pixels a label of `text` takes at `fontSize`: an upper estimate for the
    /// sans-serif fonts browsers substitute (0.62 em per character).
    static func textWidth(_ text: String, fontSize: Double) -> Double { 0.62 * fontSize * Double(text.count) }
}
