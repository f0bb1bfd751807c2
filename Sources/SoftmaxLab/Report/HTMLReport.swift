import Foundation

/// One self-contained HTML page from the lab's results: ranked tables, the Pareto plots as inline
/// SVG, the per-workload detail, and the method table with citations. No scripts, no network.
public enum HTMLReport {
    static func escape(_ s: String) -> String { ParetoPlot.escape(s).replacingOccurrences(of: "\"", with: "&quot;") }

    static func table(_ header: [String], _ rows: [[String]], numericFrom: Int = 2) -> String {
        var s = "<div class=\"scroll\"><table><thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows {
            s +=
                "<tr>"
                + row.enumerated().map { k, c in k >= numericFrom && looksNumeric(c) ? "<td class=\"n\">\(escape(c))</td>" : "<td>\(escape(c))</td>" }
                .joined() + "</tr>\n"
        }
        return s + "</tbody></table></div>\n"
    }

    /// Whether a cell reads as a figure (aligned right, in monospace) rather than as words.
    static func looksNumeric(_ cell: String) -> Bool {
        let trimmed = cell.trimmingCharacters(in: CharacterSet(charactersIn: "%× "))
        return cell == "–" || cell == "yes" || cell == "no" || Double(trimmed) != nil
    }

    /// The heat maps' colour for `level` in 0…1 (green to red, lighter to darker).
    static func heatColour(_ level: Double) -> String { "hsl(\(Int(120 - 120 * level)), 70%, \(Int(92 - 22 * level))%)" }

    /// The heat maps' colour legend: the scale from 1e−8 (and below) to 1 (and above), log scale.
    static func colourScale() -> String {
        let left = 20.0, barWidth = 400.0, width = 520.0
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"scale\" viewBox=\"0 0 \(Int(width)) 58\" width=\"\(Int(width))\" height=\"58\" font-family=\"sans-serif\" font-size=\"11\">"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
        for k in 0..<80 {
            s +=
                "<rect x=\"\(left + barWidth * Double(k) / 80)\" y=\"8\" width=\"\(barWidth / 80 + 0.5)\" height=\"16\" fill=\"\(heatColour(Double(k) / 79))\"/>"
        }
        s += "<g class=\"x-ticks\" text-anchor=\"middle\">"
        for e in stride(from: -8, through: 0, by: 2) {
            let x = left + barWidth * Double(e + 8) / 8
            s +=
                "<line x1=\"\(x)\" y1=\"24\" x2=\"\(x)\" y2=\"29\" stroke=\"#444\"/><text x=\"\(x)\" y=\"41\">\(e == -8 ? "≤ 1e-8" : e == 0 ? "≥ 1" : "1e\(e)")</text>"
        }
        s += "</g><text x=\"\(left + barWidth + 8)\" y=\"20\">NaN: red</text>"
        return s + "<text x=\"\(left)\" y=\"55\" font-size=\"10\" fill=\"#555\">colour scale (log): green small, red large</text></svg>\n"
    }

    /// A method × workload matrix of one metric, shaded by magnitude (log scale).
    static func matrix(_ entries: [LabResults.NormalizerEntry], workloads: [String], metric: (DistributionMetrics) -> Double) -> String {
        var s =
            "<div class=\"scroll\"><table class=\"matrix\"><thead><tr><th>variant</th>" + workloads.map { "<th>\(escape($0))</th>" }.joined()
            + "</tr></thead><tbody>\n"
        for e in entries {
            s += "<tr><td>\(escape(e.variant))</td>"
            for w in workloads {
                guard let m = e.workloads[w] else { s += "<td></td>"; continue }
                let v = metric(m)
                let level = v.isNaN ? 1 : v <= 0 ? 0 : min(1, max(0, (log10(v) + 8) / 8))  // 1e-8 → 0, 1 → 1
                s += "<td class=\"n\" style=\"background:\(heatColour(level))\">\(escape(Ranking.number(v)))</td>"
            }
            s += "</tr>\n"
        }
        return s + "</tbody></table></div>\n" + colourScale()
    }

    /// The files behind each section, as links relative to the page (empty: no links).
    public struct DataFiles: Sendable {
        /// The accuracy documents merged into the page, and their CSV tables.
        public var lab: [String] = []
        /// The encoder lab's document.
        public var model: [String] = []
        /// One list per decoder document, in the order the documents are given.
        public var decoder: [[String]] = []
        /// The grokking reproduction's document.
        public var grokking: [String] = []
        /// The solver experiment's document.
        public var solver: [String] = []

        /// No links.
        public init() {}
    }

    /// The line under a plot or table: the command that reproduces it and links to its numbers.
    static func source(_ command: String, _ files: [String]) -> String {
        var s = "<p class=\"note source\">Reproduce: <code>\(escape(command))</code>"
        if !files.isEmpty {
            s += ". Data: " + files.map { "<a href=\"\(escape($0))\">\(escape(($0 as NSString).lastPathComponent))</a>" }.joined(separator: ", ")
        }
        return s + ".</p>\n"
    }

    /// The `softmaxkit accuracy` command that reruns the methods of `r` with its settings.
    static func accuracyCommand(_ r: LabResults, attention: Bool = false) -> String {
        let ids = r.methods.map(\.id).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var command = "softmaxkit accuracy"
        if attention {
            command += " --attention"
        } else if ids.count <= 12 {
            command += " " + ids.joined(separator: " ")
        }
        // The attention experiment's lengths are its generated rows' (recorded rows keep their own).
        let generated = (r.attention ?? []).filter { !$0.workload.hasPrefix("recorded") }.map(\.n)
        let lengths = attention && !generated.isEmpty ? Array(Set(generated)).sorted() : r.settings.lengths
        command += " --lengths " + lengths.map(String.init).joined(separator: ",")
        if r.settings.threads != 1 { command += " --threads \(r.settings.threads)" }
        return command + " --output DIR && softmaxkit report --output DIR"
    }

    /// The page for merged results `r`; `missing` lists what a partial report leaves out, shown
    /// at the top.
    public static func render(
        _ r: LabResults?, model: ModelLab.Results? = nil, decoder: [DecoderLab.Results] = [], grokking: GrokkingExperiment.Document? = nil,
        solver: GNSExperiment.Document? = nil, missing: [String] = [], files: DataFiles = DataFiles()
    ) -> String {
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>SoftmaxKit lab report</title>
            <style>
            body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; padding: 0 12px; max-width: 1250px; color: #222; line-height: 1.4; }
            h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { margin-top: 1.4em; }
            table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.85em; }
            th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }
            th { background: #f3f3f3; } td.n { text-align: right; font-family: Menlo, Consolas, monospace; }
            .note { color: #555; font-size: 0.9em; max-width: 60em; } .matrix td.n { min-width: 5em; }
            svg { max-width: 100%; height: auto; border: 1px solid #eee; box-sizing: border-box; }
            .scroll { overflow-x: auto; max-width: 100%; } nav.toc ol { columns: 2; font-size: 0.9em; }
            </style></head><body>
            <h1>SoftmaxKit lab report</h1>

            """
        if let r { h += introduction(r) }
        if !missing.isEmpty {
            h +=
                "<p class=\"note\" style=\"border: 2px solid #c33; padding: 0.5em;\"><b>Partial report.</b> Left out: "
                + missing.map { escape($0) }.joined(separator: "; ") + ".</p>\n"
        }
        if let r { h += labSections(r, files: files) }
        if let model { h += modelSection(model, files: files.model) }
        if !decoder.isEmpty { h += decoderSection(decoder, files: files.decoder) }
        if let grokking { h += grokkingSection(grokking, files: files.grokking) }
        if let solver { h += solverSection(solver, files: files.solver) }
        if let r { h += methodsSection(r) }
        return withContents(h) + "</body></html>\n"
    }

    /// The paragraph under the title: when, on what machine, and how the lab measured.
    static func introduction(_ r: LabResults) -> String {
        let copy =
            r.machine.copyGBps.isNaN
            ? "not measured" : String(format: "%.1f GB/s (streaming stores %.1f GB/s)", r.machine.copyGBps, r.machine.copyStreamingGBps)
        return """
            <p class="note">Created \(escape(r.created)). Machine: \(r.machine.cores) cores, copy bandwidth \(escape(copy)),
            fused multiply-add \(r.machine.fusedMultiplyAdd ? "on" : "off"). All methods run in float32 and are compared with float64
            references computed from the same float32 inputs. Speed: \(r.settings.speedShape.map(String.init).joined(separator: " × ")) elements
            (L2-resident), \(r.settings.threads) thread(s), counting 4 bytes read + 4 written per element; “× exact” is relative to the
            exact <code>softmax</code> in the same run. Workloads: \(escape(r.settings.logitWorkloads.joined(separator: ", "))); row lengths
            \(r.settings.lengths.map(String.init).joined(separator: ", ")).</p>

            """
    }

    /// The accuracy lab's sections: normalizers, replacements, heat maps, element-wise methods, attention.
    static func labSections(_ r: LabResults, files: DataFiles) -> String {
        let exact = Ranking.exactSoftmaxSpeed(r)
        let approximations = Ranking.approximations(r), replacements = Ranking.replacements(r)
        var h = ""
        h += "<h2>Normalizers</h2>\n"
        h +=
            "<p class=\"note\">Softmax and its approximations, ranked by the worst total variation ½Σ|q−p| from the exact softmax over all workloads. KL is KL(exact ‖ method). Top-1 is the fraction of rows whose argmax matches.</p>\n"
        h += table(Ranking.normalizerHeader, Ranking.normalizerRows(approximations, exact: exact))
        h += ParetoPlot.normalizers(r)
        h += source(accuracyCommand(r), files.lab)
        if !replacements.isEmpty {
            h +=
                "<h3>Replacements of softmax</h3>\n<p class=\"note\">These are <b>not meant to equal softmax</b> (a network is trained or fine-tuned for them): the figures are their <b>distance</b> from softmax on the same rows, not an error. Ranked by mean total variation.</p>\n"
            h += table(Ranking.normalizerHeader, Ranking.normalizerRows(replacements, exact: exact))
        }
        h += "<h3>Per workload: max total variation from softmax</h3>\n"
        h += matrix(approximations + replacements, workloads: r.settings.logitWorkloads) { $0.maxTotalVariation }
        h += "<h3>Per workload: max relative error (outputs ≥ 1e−30)</h3>\n"
        h += matrix(approximations, workloads: r.settings.logitWorkloads) { $0.maxRelative }
        let groups = Ranking.elementwise(r)
        if !groups.isEmpty {
            h += "<h2>Activations and element-wise approximations</h2>\n"
            for (reference, entries) in groups {
                h += "<h3>Against \(escape(reference))</h3>\n"
                h +=
                    "<p class=\"note\">Ranked by max absolute error over the workloads (\(escape(Array(Set(entries.flatMap { $0.workloads.keys })).sorted().joined(separator: ", ")))); replacements last, their figures a distance. ULP in float32 units at the reference value.</p>\n"
                h += table(Ranking.elementwiseHeader, Ranking.elementwiseRows(entries))
                h += ParetoPlot.elementwise(entries, reference: reference)
                h += source(accuracyCommand(r), files.lab)
            }
        }
        if let points = r.attention, !points.isEmpty {
            h += "<h2>Attention: error against sequence length</h2>\n"
            h +=
                "<p class=\"note\">Relative Frobenius error ‖out − exact‖/‖exact‖ of each engine against exact softmax attention (the tiled float32 engine), one head, D = 64; times are one call. Dashed lines are replacements (a different operator): their figure is a distance.</p>\n"
            let workloads = points.map(\.workload).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for w in workloads {
                let ps = points.filter { $0.workload == w }
                let lengths = ps.map(\.n).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
                let engines = ps.map(\.engine).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                h += table(
                    ["engine"] + lengths.map { "N = \($0): error" } + lengths.map { "N = \($0): s" },
                    engines.map { e in
                        let row = lengths.map { n in ps.first { $0.engine == e && $0.n == n } }
                        return [e + (row.compactMap { $0 }.first?.replacement == true ? " (replacement)" : "")]
                            + row.map { $0.map { Ranking.number($0.relativeError) } ?? "–" }
                            + row.map { $0.map { String(format: "%.2e", $0.seconds) } ?? "–" }
                    } + [
                        ["exact (tiled)"] + lengths.map { _ in "0" }
                            + lengths.map { n in
                                ps.first { $0.n == n }.map { String(format: "%.2e", $0.exactSeconds) } ?? "–"
                            }
                    ], numericFrom: 1)
                h += LinePlot.attentionError(points, workload: w)
                h += source(accuracyCommand(r, attention: true), files.lab)
            }
        }
        return h
    }

    /// The table of the methods the lab ran, with their citations.
    static func methodsSection(_ r: LabResults) -> String {
        var h = ""
        h += "<h2>Methods</h2>\n"
        h += table(
            ["id", "role", "exact", "summary", "parameters (defaults)", "citation"],
            r.methods.map {
                [
                    $0.id, $0.role + ($0.replacement ? " (replacement)" : ""), $0.exact ? "yes" : "no", $0.summary,
                    $0.parameters.joined(separator: ", "), $0.citation,
                ]
            }, numericFrom: 99)
        h +=
            "<p class=\"note\">Reproduce: <code>swift run -c release -Xswiftc -target-cpu -Xswiftc native softmaxkit</code> (the default run), or <code>softmaxkit accuracy [IDS...] --output DIR</code> then <code>softmaxkit report --output DIR</code>.</p>\n"
        return h
    }

    /// The page with an id on every section heading and, before the first, a table of contents
    /// linking to them.
    static func withContents(_ page: String) -> String {
        var out = "", titles: [String] = []
        var rest = Substring(page)
        while let open = rest.range(of: "<h2>"), let close = rest[open.upperBound...].range(of: "</h2>") {
            let title = String(rest[open.upperBound..<close.lowerBound])
            titles.append(title)
            out += rest[..<open.lowerBound] + "<h2 id=\"section-\(titles.count)\">" + title + "</h2>"
            rest = rest[close.upperBound...]
        }
        out += rest
        guard let first = out.range(of: "<h2 id=\"section-1\">") else { return out }
        let contents =
            "<nav class=\"toc\"><b>Contents</b><ol>"
            + titles.enumerated().map { "<li><a href=\"#section-\($0.offset + 1)\">\($0.element)</a></li>" }.joined() + "</ol></nav>\n"
        out.insert(contentsOf: contents, at: first.lowerBound)
        return out
    }

    /// The real-model table: task scores and drift of each swap in the encoder.
    static func modelSection(_ m: ModelLab.Results, files: [String] = []) -> String {
        var h = "<h2>A real model: \(escape((m.model as NSString).lastPathComponent)) with swapped parts</h2>\n"
        h +=
            "<p class=\"note\">Sentence embeddings of \(m.texts) texts. Lee: Pearson with human document similarity; WordSim353, SimLex-999: Spearman with human word similarity; polarity: leave-one-out nearest-centroid accuracy. Drift: cosine between each text's embedding with the swap and without (mean, worst), and the mean overlap of the 10 nearest neighbours.</p>\n"
        h += table(
            ["swap", "Lee", "WordSim353", "SimLex-999", "polarity", "mean cosine", "worst cosine", "top-10 overlap", "seconds"],
            m.rows.map { row in
                [
                    row.swap, String(format: "%.3f", row.scores.lee), String(format: "%.3f", row.scores.wordSim), String(format: "%.3f", row.scores.simLex),
                    String(format: "%.3f", row.scores.polarity), row.drift.map { String(format: "%.5f", $0.meanCosine) } ?? "–",
                    row.drift.map { String(format: "%.5f", $0.worstCosine) } ?? "–", row.drift.map { String(format: "%.3f", $0.neighbourOverlap) } ?? "–",
                    String(format: "%.1f", row.seconds),
                ]
            }, numericFrom: 1)
        let options = m.rows.compactMap { swapOption($0.swap) }
        var command = "softmaxkit model" + (options.isEmpty ? " --normalizer ID --activation ID" : " " + options.joined(separator: " "))
        if let plot = ModelLab.layerPlot(m) {
            h += plot
            let perLayer = m.rows.lazy.compactMap { row in row.swap.components(separatedBy: " layers=").first.flatMap(swapOption) }.first
            command = "softmaxkit model --per-layer " + (perLayer ?? "--normalizer ID")
        }
        return h + source(command, files)
    }

    /// `--normalizer puma-softmax` for the swap label `normalizer=puma-softmax` (nil for `exact`
    /// and for labels with parameters or layers, which a single option cannot say).
    static func swapOption(_ swap: String) -> String? {
        let parts = swap.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["normalizer", "activation", "attention"].contains(parts[0]), !parts[1].contains(" ") else { return nil }
        return "--\(parts[0]) \(parts[1])"
    }

    /// The decoder lab: each document's swap table, and the per-layer curve where one document
    /// swaps layers one at a time.
    static func decoderSection(_ documents: [DecoderLab.Results], files: [[String]] = []) -> String {
        var h = "<h2>A real decoder: \(escape((documents[0].model as NSString).lastPathComponent)) with swapped parts</h2>\n"
        h +=
            "<p class=\"note\">Each swap against the exact model on the same text, in windows from an empty cache (no BOS). PPL change is relative to the exact model; top-1 agreement is the fraction of positions whose most likely next token is the exact model's; KL is the mean KL(exact ‖ swapped) of the next-token distributions, in nats.</p>\n"
        for (k, d) in documents.enumerated() {
            h +=
                "<h3>\(escape((d.text as NSString).lastPathComponent)): \(d.tokens) tokens, \(d.predicted) predicted, windows of \(d.window)</h3>\n"
            h += table(
                ["swap", "PPL", "PPL change", "top-1 agreement", "mean KL", "seconds"],
                d.rows.map { row in
                    guard let ppl = row.ppl, let change = row.pplChange, let agree = row.top1Agreement, let kl = row.meanKL else {
                        return [row.swap, "failed: " + (row.error ?? "no result"), "–", "–", "–", String(format: "%.1f", row.seconds)]
                    }
                    return [
                        row.swap, String(format: "%.4f", ppl), String(format: "%+.2f%%", change * 100), String(format: "%.4f", agree),
                        Ranking.number(kl), String(format: "%.1f", row.seconds),
                    ]
                }, numericFrom: 1)
            let perLayer = d.rows.first { $0.layers?.count == 1 }
            if perLayer != nil { h += DecoderLab.layerPlot(d) }
            let swap = perLayer.map { " --per-layer --\($0.part) \($0.id)" } ?? ""
            h += source(
                "softmaxkit lm sweep\(swap) --text \(d.text) --window \(d.window) --tokens \(d.tokens)", k < files.count ? files[k] : [])
        }
        return h
    }

    /// The grokking reproduction's curves and verdicts.
    static func grokkingSection(_ g: GrokkingExperiment.Document, files: [String] = []) -> String {
        var h = "<h2>Softmax Collapse and grokking (modular addition, p = \(g.setup.modulus))</h2>\n"
        h +=
            "<p class=\"note\">Full-batch training without weight decay, \(g.setup.steps) steps, seed \(g.setup.seed).</p>\n"
        h += table(
            ["configuration", "final test accuracy", "best test accuracy", "grok step", "max collapsed", "verdict"],
            g.runs.map {
                [
                    $0.label, String(format: "%.3f", $0.finalTestAccuracy), String(format: "%.3f", $0.maxTestAccuracy),
                    $0.grokStep.map(String.init) ?? "–", String(format: "%.3f", $0.maxSoftmaxCollapse), $0.verdict,
                ]
            }, numericFrom: 1)
        let command =
            "softmaxkit train grokking --modulus \(g.setup.modulus) --hidden \(g.setup.hidden) --steps \(g.setup.steps) --seed \(g.setup.seed) --train-fraction \(g.setup.trainFraction) --log-every \(g.setup.logEvery)"
        return h + GrokkingPlot.accuracy(g.runs) + source(command, files) + GrokkingPlot.collapse(g.runs) + source(command, files)
    }

    /// The gradient-regularised Newton runs: iterations, final gap, linear rate, and the curves.
    static func solverSection(_ d: GNSExperiment.Document, files: [String] = []) -> String {
        var h = "<h2>Gradient-regularised Newton on the softmax problem (n = \(d.setup.n), m = \(d.setup.m), μ = \(d.setup.mu))</h2>\n"
        h +=
            "<p class=\"note\">LogSumExp with x* = 0, x0 = 1, metric B = AᵀA; exact Hessian against the Gauss–Newton approximation Aᵀdiag(π)A/μ. A linear rate below 1 on both is the paper's claim (Semenov, Jaggi &amp; Doikov 2025).</p>\n"
        h += table(
            ["Hessian", "iterations", "converged", "f − f*", "linear rate", "seconds"],
            d.runs.map {
                [
                    $0.hessian, String($0.gap.count - 1), $0.converged ? "yes" : "no", String(format: "%.2e", $0.gap.last ?? .nan),
                    $0.rate.map { String(format: "%.3f", $0) } ?? "–", String(format: "%.1f", $0.seconds),
                ]
            }, numericFrom: 1)
        return h + GNSExperiment.svg(d) + source("softmaxkit solve gns --n \(d.setup.n) --m \(d.setup.m) --mu \(d.setup.mu) --seed \(d.setup.seed)", files)
    }
}
