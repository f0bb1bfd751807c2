import Foundation
import SoftmaxModels

/// The evaluation texts of the model lab, from gensim's test data (`scripts/fetch-models.sh`):
///
/// - Lee corpus: 50 news documents with a 50 × 50 matrix of mean human similarity (M. D. Lee,
///   B. Pincombe, M. Welsh, "An empirical evaluation of models of text document similarity", 2005);
///   the 1225 pairs above the diagonal are scored.
/// - WordSim353 (Finkelstein et al. 2002) and SimLex-999 (Hill, Reichart, Korhonen 2015): word pairs
///   with mean human scores; each word is embedded as its own one-word sentence.
/// - 200 movie-review sentences labelled positive or negative (Pang & Lee), `__label__pos|neg`.
public struct EvaluationData: Sendable {
    /// The 50 Lee news documents.
    public var leeDocuments: [String]
    /// `[50 × 50]` row-major.
    public var leeSimilarity: [Double]
    /// WordSim353 word pairs with their human similarity scores.
    public var wordSim: [(String, String, Double)]
    /// SimLex-999 word pairs with their human similarity scores.
    public var simLex: [(String, String, Double)]
    /// Labelled sentences for the polarity task.
    public var polarity: [(text: String, positive: Bool)]

    /// Reads the evaluation texts from `folder` (as `scripts/fetch-models.sh` lays them out); throws naming the file that is missing or malformed.
    public static func load(folder: String) throws -> EvaluationData {
        func text(_ name: String) throws -> String {
            let path = (folder as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ModelError.file(path, "cannot read (fetch the evaluation data with scripts/fetch-models.sh)")
            }
            // The Lee and polarity files are Latin-1; the others are ASCII.
            guard let s = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
                throw ModelError.file(path, "neither UTF-8 nor Latin-1 text")
            }
            return s
        }
        func lines(_ name: String) throws -> [String] {
            try text(name).split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        let documents = try lines("lee.cor")
        let matrixPath = (folder as NSString).appendingPathComponent("similarities0-1.txt")
        let matrix = try lines("similarities0-1.txt").map { line in
            try line.split(whereSeparator: { $0 == "\t" || $0 == " " }).map { v -> Double in
                guard let d = Double(v) else { throw ModelError.file(matrixPath, "'\(v)' is not a number") }
                return d
            }
        }
        guard documents.count == 50, matrix.count == 50, matrix.allSatisfy({ $0.count == 50 }) else {
            throw ModelError.file(matrixPath, "expected 50 documents and a 50 × 50 matrix, got \(documents.count) and \(matrix.count) rows")
        }
        func pairs(_ name: String) throws -> [(String, String, Double)] {
            let path = (folder as NSString).appendingPathComponent(name)
            return try lines(name).filter { !$0.hasPrefix("#") }.map { line in
                let f = line.split(separator: "\t")
                guard f.count >= 3, let score = Double(f[2]) else { throw ModelError.file(path, "bad line '\(line)'") }
                return (String(f[0]), String(f[1]), score)
            }
        }
        let polarityPath = (folder as NSString).appendingPathComponent("pang_lee_polarity.cor")
        let polarity = try lines("pang_lee_polarity.cor").map { line -> (text: String, positive: Bool) in
            if line.hasPrefix("__label__pos ") { return (String(line.dropFirst(13)), true) }
            if line.hasPrefix("__label__neg ") { return (String(line.dropFirst(13)), false) }
            throw ModelError.file(polarityPath, "line without __label__pos/neg: '\(line.prefix(40))'")
        }
        return EvaluationData(
            leeDocuments: documents, leeSimilarity: matrix.flatMap { $0 }, wordSim: try pairs("wordsim353.tsv"),
            simLex: try pairs("simlex999.txt"), polarity: polarity)
    }

    /// Every distinct text, in a fixed order: documents, words, polarity sentences.
    public var allTexts: [String] {
        var seen = Set<String>(), out = [String]()
        for t in leeDocuments + (wordSim + simLex).flatMap({ [$0.0, $0.1] }) + polarity.map(\.text) where seen.insert(t).inserted { out.append(t) }
        return out
    }
}
