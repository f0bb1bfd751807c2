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
