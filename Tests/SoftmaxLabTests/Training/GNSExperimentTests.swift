import Foundation
import SoftmaxKit
import Testing

@testable import SoftmaxLab

/// The solver experiment on a small instance of the notebook's problem: both Hessians converge
/// linearly, the document round-trips, the plot has both curves.
@Suite struct GNSExperimentTests {
    @Test func bothHessiansConvergeLinearly() throws {
        var setup = GNSExperiment.Setup()
        (setup.n, setup.m, setup.iterations) = (20, 40, 300)
        let d = try GNSExperiment.run(setup)
        #expect(d.runs.map(\.hessian) == ["exact", "approx"])
        for r in d.runs {
            #expect(r.converged && r.gap.last! < setup.eps, "\(r.hessian)")
            let rate = try #require(r.rate)
            #expect(rate < 1, "\(r.hessian): rate \(rate)")
            #expect(r.gap.count == r.gradientNorm.count && r.gap.count == r.gamma.count)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gns-\(UUID().uuidString).json").path
        try d.encoded().write(to: URL(fileURLWithPath: path))
        let back = try GNSExperiment.Document.read(path)
        try FileManager.default.removeItem(atPath: path)
        #expect(back.runs.map(\.gap) == d.runs.map(\.gap) && back.fStar == d.fStar)
        let svg = GNSExperiment.svg(d)
        #expect(svg.contains("exact Hessian") && svg.contains("approx Hessian"))
        #expect(throws: TrainingError.self) {
            var bad = setup
            bad.mu = 0
            _ = try GNSExperiment.run(bad)
        }
    }
}
