import Foundation
import Testing

@testable import SoftmaxLab

/// What the plots draw: labels that do not overlap, legends inside the SVG, markers per series.
@Suite struct PlotLayoutTests {
    /// The `<text>` elements inside the `<g class="NAME">` group of `svg`.
    func texts(in svg: String, group: String) throws -> [(x: Double, y: Double, anchor: String, text: String)] {
        let start = try #require(svg.range(of: "<g class=\"\(group)\""), "no \(group) group")
        let end = try #require(svg[start.upperBound...].range(of: "</g>"))
        let body = String(svg[start.upperBound..<end.lowerBound])
        let pattern = try NSRegularExpression(pattern: "<text x=\"([-0-9.]+)\" y=\"([-0-9.]+)\"(?: text-anchor=\"(\\w+)\")?[^>]*>([^<]*)</text>")
        return pattern.matches(in: body, range: NSRange(body.startIndex..., in: body)).map { m in
            func group(_ k: Int) -> String { Range(m.range(at: k), in: body).map { String(body[$0]) } ?? "" }
            return (Double(group(1)) ?? .nan, Double(group(2)) ?? .nan, group(3).isEmpty ? "start" : group(3), group(4))
        }
    }

    func viewBoxWidth(_ svg: String) throws -> Double {
        let match = try #require(svg.range(of: "viewBox=\"0 0 "))
        let rest = svg[match.upperBound...]
        return try #require(Double(rest.prefix { $0 != " " }))
    }

    @Test func crowdedParetoLabelsNeverOverlapAndEveryPointIsNamed() throws {
        // Twelve methods in a tight cluster, as puma-gelu and ibert-gelu-poly-float sit in the report.
        let points =
            (0..<12).map { k in
                ParetoPlot.Point(label: "method-number-\(k)", throughput: 8 + 0.05 * Double(k), error: 1e-3 * (1 + 0.02 * Double(k)))
            } + [ParetoPlot.Point(label: "far", throughput: 1, error: 1)]
        let svg = ParetoPlot.svg(points, title: "t", errorLabel: "e")
        let labels = try texts(in: svg, group: "point-labels")
        let boxes = labels.map { l -> (Double, Double, Double, Double) in
            let w = PlotAxis.textWidth(l.text, fontSize: 9)
            let x0 = l.anchor == "start" ? l.x : l.anchor == "end" ? l.x - w : l.x - w / 2
            return (x0, l.y - 8, x0 + w, l.y + 2)
        }
        for i in boxes.indices {
            for j in boxes.indices where j > i {
                let (a, b) = (boxes[i], boxes[j])
                let overlap = a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
                #expect(!overlap, "'\(labels[i].text)' overlaps '\(labels[j].text)'")
            }
        }
        // Each point is named once: by its label beside it, or by a number and the key.
        let legend = try texts(in: svg, group: "legend").map(\.text)
        for p in points {
            let beside = labels.filter { $0.text == p.label }.count
            let keyed = legend.filter { $0.hasSuffix("  " + p.label) }.count
            #expect(beside + keyed == 1, "\(p.label): \(beside) labels, \(keyed) key entries")
        }
        #expect(legend.contains { $0.hasSuffix("  method-number-11") } || labels.contains { $0.text == "method-number-11" })
        // The key's longest entry fits inside the SVG.
        let width = try viewBoxWidth(svg)
        for l in try texts(in: svg, group: "legend") { #expect(l.x + PlotAxis.textWidth(l.text, fontSize: 11) <= width, "\(l.text)") }
    }

    /// A dominated point drawn where a front point lies must not hide it: the front's circles come
    /// after every other (as the exact softmax among its near-equals in the report).
    @Test func frontPointsAreDrawnOverDominatedOnes() throws {
        let points: [ParetoPlot.Point] = [
            .init(label: "front", throughput: 34.7, error: 3.26e-7), .init(label: "close", throughput: 34.3, error: 3.26e-7),
            .init(label: "slow", throughput: 10, error: 1e-7), .init(label: "cheap", throughput: 30, error: 1e-2),
        ]
        let svg = ParetoPlot.svg(points, title: "t", errorLabel: "e")
        // The points' circles carry a title (the key's circles do not).
        let titled = svg.components(separatedBy: "<circle").dropFirst().filter { $0.contains("<title>") }
        let order = titled.map { String($0.components(separatedBy: "<title>")[1].prefix { $0 != ":" }) }
        #expect(Set(order) == Set(points.map(\.label)), "every point drawn once")
        let lastDominated = try #require(order.lastIndex { $0 == "close" || $0 == "cheap" })
        #expect(order.firstIndex(of: "front")! > lastDominated && order.firstIndex(of: "slow")! > lastDominated, "\(order)")
    }

    @Test func paretoAxesCarryAtLeastTwoTickLabels() throws {
        let svg = ParetoPlot.svg(
            [.init(label: "a", throughput: 5.4, error: 0.02), .init(label: "b", throughput: 9.2, error: 5e-4)], title: "t", errorLabel: "e")
        #expect(try texts(in: svg, group: "x-ticks").count >= 2)
        #expect(try texts(in: svg, group: "y-ticks").count >= 2)
    }

    @Test func lineLegendsFitTheirLongestLabel() throws {
        let long = String(repeating: "stablemax-cross-entropy + adam train ", count: 2)
        let svg = LinePlot.svg(
            [.init(label: "short", points: [(1, 0.5), (2, 0.25)]), .init(label: long, points: [(1, 0.1), (2, 0.2)], dashed: true)], title: "t",
            xLabel: "x", yLabel: "y", logY: false)
        let width = try viewBoxWidth(svg)
        for l in try texts(in: svg, group: "legend") { #expect(l.x + PlotAxis.textWidth(l.text, fontSize: 11) <= width, "\(l.text)") }
        #expect(try texts(in: svg, group: "y-ticks").count >= 2 && (try texts(in: svg, group: "x-ticks").count) >= 2)
    }

    @Test func aSingleLengthStillGetsAScale() throws {
        for logX in [true, false] {
            let svg = LinePlot.svg([.init(label: "a", points: [(154, 0.01)])], title: "t", xLabel: "N", yLabel: "e", logX: logX)
            #expect(try texts(in: svg, group: "x-ticks").count >= 2, "logX \(logX)")
        }
    }

    @Test func coincidingSeriesKeepDistinctMarkers() {
        let same = [(1.0, 0.0), (2.0, 0.0), (3.0, 0.0)]
        let svg = LinePlot.svg(
            [.init(label: "a", points: same), .init(label: "b", points: same), .init(label: "c", points: same)], title: "t", xLabel: "x",
            yLabel: "y", logY: false, logX: false)
        #expect(svg.contains("<circle") && svg.contains("<rect x=") && svg.contains("<polygon"))
        // All-zero data: the y axis runs 0 … 1, not 0 … 1e-9.
        #expect(svg.contains(">1.0</text>") && !svg.contains("e-9"))
    }
}
