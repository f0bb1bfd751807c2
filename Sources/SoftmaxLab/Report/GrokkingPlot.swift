/// The grokking reproduction's figures: accuracy against step (train dashed, test solid) and the
/// Softmax Collapse fraction against step, one colour per configuration, log-scaled steps as in
/// the paper's figures.
public enum GrokkingPlot {
    /// Train (dashed) and test accuracy against step, one colour per configuration, as an SVG document.
    public static func accuracy(_ runs: [GrokkingExperiment.Run]) -> String {
        let series = runs.enumerated().flatMap { k, run in
            [
                LinePlot.Series(label: "\(run.label) test", points: run.records.map { (Double($0.step), $0.testAccuracy) }, colour: k),
                LinePlot.Series(label: "\(run.label) train", points: run.records.map { (Double($0.step), $0.trainAccuracy) }, dashed: true, colour: k),
            ]
        }
        return LinePlot.svg(series, title: "Modular addition: accuracy (train dashed, test solid)", xLabel: "step", yLabel: "accuracy", logY: false)
    }

    /// The fraction of collapsed training rows against step, one line per configuration, as an SVG document.
    public static func collapse(_ runs: [GrokkingExperiment.Run]) -> String {
        let series = runs.map { run in
            LinePlot.Series(label: run.label, points: run.records.map { (Double($0.step), $0.softmaxCollapse) })
        }
        return LinePlot.svg(
            series, title: "Softmax Collapse: fraction of training rows with fl32(Σ e^(x − max)) = 1",
            xLabel: "step", yLabel: "fraction collapsed", logY: false)
    }
}
