import Foundation
import Testing

@testable import SoftmaxLab

/// Every axis can be read: at least two labelled ticks, inside the range, at round values.
@Suite struct PlotAxisTests {
    func labelled(_ ticks: [PlotAxis.Tick]) -> [PlotAxis.Tick] { ticks.filter { !$0.label.isEmpty } }

    @Test func logAxesTickEveryDecade() {
        let ticks = PlotAxis.logTicks(low: -3, high: 1, pixels: 400)
        #expect(ticks.map(\.value) == [1e-3, 1e-2, 0.1, 1, 10])
        #expect(ticks.map(\.label) == ["1e-3", "0.01", "0.1", "1", "10"])
        #expect(ticks.allSatisfy { $0.major })
    }

    @Test func aRangeWithinOneDecadeStillGetsTwoLabels() {
        // 3.6 … 13.8 GB/s: only the decade 10 inside; 5 joins it.
        let narrow = PlotAxis.logTicks(low: log10(3.6), high: log10(13.8), pixels: 80)
        #expect(labelled(narrow).count >= 2, "\(narrow)")
        // 5.1 … 8.9: no decade and no 2 or 5 multiple but 5 … every digit between is labelled.
        let tiny = PlotAxis.logTicks(low: log10(5.1), high: log10(8.9), pixels: 100)
        #expect(tiny.map(\.value) == [6, 7, 8], "\(tiny)")
        for t in narrow + tiny {
            let inside = log10(t.value) >= log10(3.6) - 1e-9 && log10(t.value) <= log10(13.8) + 1e-9
            #expect(inside, "\(t.value) outside the range")
        }
    }

    @Test func wideDecadesGetMinorTicks() {
        let ticks = PlotAxis.logTicks(low: -1, high: 1, pixels: 400)  // 200 px per decade
        #expect(ticks.map(\.value) == [0.1, 0.2, 0.5, 1, 2, 5, 10])
        let majors = ticks.filter { $0.major }.map { $0.value }
        #expect(majors == [0.1, 1, 10])
    }

    @Test func manyDecadesOnAShortAxisKeepEveryLineButThinTheLabels() {
        let ticks = PlotAxis.logTicks(low: -30, high: 0, pixels: 420)
        #expect(ticks.count == 31)
        let shown = labelled(ticks)
        #expect(shown.count >= 2 && shown.count < 31)
        #expect(shown.contains { $0.value == 1 })
    }

    @Test func linearAxesRoundOutToOneTwoFiveSteps() {
        let accuracy = PlotAxis.linear(low: 0, high: 0.962)
        #expect(accuracy.low == 0 && abs(accuracy.high - 1) < 1e-12)
        #expect(accuracy.ticks.map(\.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let steps = PlotAxis.linear(low: 0, high: 29, count: 10)
        #expect(steps.ticks.map(\.label) == ["0", "5", "10", "15", "20", "25", "30"])
        let negative = PlotAxis.linear(low: -3.2, high: 7)
        #expect(negative.low <= -3.2 && negative.high >= 7 && negative.ticks.contains { $0.value == 0 && $0.label == "0" })
    }

    @Test func constantDataGetsARangeAReaderRecognises() {
        let zero = PlotAxis.linear(low: 0, high: 0)
        #expect(zero.low == 0 && zero.high == 1 && zero.ticks.count == 6)
        let one = PlotAxis.linear(low: 1, high: 1)
        #expect(one.low == 0 && one.high == 2)
        let negative = PlotAxis.linear(low: -4, high: -4)
        #expect(negative.low == -8 && negative.high == 0)
    }

    @Test func labelsAreWrittenAsAReaderWould() {
        #expect(PlotAxis.label(0) == "0" && PlotAxis.label(200) == "200" && PlotAxis.label(0.05) == "0.05")
        #expect(PlotAxis.label(5e-4) == "5e-4" && PlotAxis.label(1e-10) == "1e-10" && PlotAxis.label(2e5) == "2e5")
        #expect(PlotAxis.label(-0.5) == "-0.5")
    }
}
