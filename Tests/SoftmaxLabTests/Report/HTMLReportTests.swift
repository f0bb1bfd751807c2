import Testing

@testable import SoftmaxLab

/// The page's navigation and narrow-screen layout.
@Suite struct HTMLReportTests {
    @Test func everySectionIsInTheContentsAndEveryLinkResolves() {
        let page = "<h1>T</h1><p>intro</p><h2>Normalizers</h2><p>a</p><h2>A real model: x</h2><p>b</p>"
        let out = HTMLReport.withContents(page)
        #expect(out.contains("<h2 id=\"section-1\">Normalizers</h2>") && out.contains("<h2 id=\"section-2\">A real model: x</h2>"))
        let nav = out.range(of: "<nav class=\"toc\">")!, first = out.range(of: "<h2 id=\"section-1\">")!
        #expect(nav.lowerBound > out.range(of: "<p>intro</p>")!.lowerBound && nav.upperBound <= first.lowerBound, "the contents sit before the first section")
        for k in 1...2 { #expect(out.contains("<a href=\"#section-\(k)\">") && out.contains("id=\"section-\(k)\"")) }
        #expect(HTMLReport.withContents("<p>no sections</p>") == "<p>no sections</p>")
    }

    @Test func tablesScrollInsideTheirOwnBox() {
        let t = HTMLReport.table(["a", "b"], [["1", "2"]])
        #expect(t.hasPrefix("<div class=\"scroll\"><table>") && t.hasSuffix("</table></div>\n"))
    }
}

/// Tables, heat maps and the line under each plot.
@Suite struct HTMLReportPartsTests {
    @Test func figuresAlignRightAndWordsDoNot() {
        for cell in ["0.003", "1.2e-01", "+0.34%", "–", "12", "yes"] { #expect(HTMLReport.looksNumeric(cell), "\(cell)") }
        for cell in ["memorised without generalising", "failed: no result", "exact"] { #expect(!HTMLReport.looksNumeric(cell), "\(cell)") }
        let t = HTMLReport.table(["a", "b", "c"], [["x", "1.5", "words here"]], numericFrom: 1)
        #expect(t.contains("<td class=\"n\">1.5</td>") && t.contains("<td>words here</td>"))
    }

    @Test func heatMapsCarryTheirColourScale() {
        let scale = HTMLReport.colourScale()
        #expect(scale.contains("class=\"scale\"") && scale.contains("class=\"x-ticks\""))
        for label in ["≤ 1e-8", "1e-6", "1e-4", "1e-2", "≥ 1", "NaN"] { #expect(scale.contains(label), "\(label)") }
        #expect(HTMLReport.heatColour(0) != HTMLReport.heatColour(1))
    }

    @Test func eachPlotIsFollowedByItsCommandAndData() {
        let line = HTMLReport.source("softmaxkit solve gns --n 60", ["../results/gns.json", "a&b.csv"])
        #expect(line.contains("<code>softmaxkit solve gns --n 60</code>"))
        #expect(line.contains("<a href=\"../results/gns.json\">gns.json</a>") && line.contains("<a href=\"a&amp;b.csv\">a&amp;b.csv</a>"))
        #expect(!HTMLReport.source("x", []).contains("Data:"))
        #expect(HTMLReport.swapOption("normalizer=stablemax") == "--normalizer stablemax")
        #expect(HTMLReport.swapOption("exact") == nil && HTMLReport.swapOption("normalizer=puma-softmax layers=3") == nil)
    }
}
