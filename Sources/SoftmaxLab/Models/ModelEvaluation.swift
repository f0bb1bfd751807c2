import Foundation
import SoftmaxKit
import SoftmaxModels

/// What a swap does to a real sentence encoder: task scores with the swap in place, and how far
/// its embeddings drift from the exact model's.
///
/// - Lee: Pearson correlation between human document similarity and embedding cosine (1225 pairs);
/// - WordSim353, SimLex-999: Spearman correlation between human scores and cosine;
/// - polarity: leave-one-out nearest-centroid accuracy (each sentence against the class means
///   of the other 199, by cosine);
/// - drift over every text: mean and worst cosine between the swapped and the exact embedding,
///   and the mean overlap of each sentence's 10 nearest neighbours (among the 250 documents and
///   sentences) under both.
public struct ModelEvaluation: Sendable {
    /// Task scores of one configuration of the encoder.
    public struct Scores: Sendable, Codable, Equatable {
        /// Lee document similarity: Pearson correlation with the human judgements.
        public var lee: Double
        /// WordSim353: Spearman correlation with the human judgements.
        public var wordSim: Double
        /// SimLex-999: Spearman correlation with the human judgements.
        public var simLex: Double
        /// Sentence polarity: leave-one-out nearest-centroid accuracy.
        public var polarity: Double
    }

    /// How far a swapped encoder's embeddings moved from the exact encoder's.
    public struct Drift: Sendable, Codable, Equatable {
        /// Mean cosine similarity between each text's exact and swapped embedding.
        public var meanCosine: Double
        /// Smallest such cosine over all texts.
        public var worstCosine: Double
        /// Mean overlap of each text's ten nearest neighbours, exact against swapped (0 … 1).
        public var neighbourOverlap: Double
    }

    /// One row of the evaluation: a configuration and what it scored.
    public struct Row: Sendable, Codable, Equatable {
        /// The swap's label (`exact`, `normalizer=puma-softmax`, …).
        public var swap: String
        /// Its task scores.
        public var scores: Scores
        /// Nil for the exact model.
        public var drift: Drift?
        /// Wall-clock seconds for embedding every text with this configuration.
        public var seconds: Double
    }

    /// The encoder and tokenizer being evaluated.
    public let embedder: SentenceEmbedder
    /// The evaluation texts and their human judgements.
    public let data: EvaluationData
    /// Every distinct text to embed, each once.
    public let texts: [String]
    let tokenized: [[Int]]
    /// Threads for the forward passes.
    public let threads: Int

    /// An evaluation of `embedder` on `data`, with `threads` threads.
    public init(embedder: SentenceEmbedder, data: EvaluationData, threads: Int = RowParallel.activeCores) {
        self.embedder = embedder
        self.data = data
        texts = data.allTexts
        tokenized = texts.map(embedder.tokenizer.encode)
        self.threads = threads
    }

    /// Embeddings of every text (in `texts` order) under a swap.
    public func embeddings(_ swap: EncoderSwap) throws -> [[Float]] {
        try embedder.embed(tokenized: tokenized, swap: swap, threads: threads)
    }

    /// Scores (and drift against `exact`, when given) of one swap.
    public func evaluate(_ swap: EncoderSwap, exact: [[Float]]? = nil) throws -> (row: Row, embeddings: [[Float]]) {
        let start = Date()
        let e = try embeddings(swap)
        let index = Dictionary(texts.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        func vector(_ t: String) -> [Float] { e[index[t]!] }
        var human = [Double](), model = [Double]()
        for i in 0..<50 {
            for j in (i + 1)..<50 {
                human.append(data.leeSimilarity[i * 50 + j])
                model.append(Self.cosine(vector(data.leeDocuments[i]), vector(data.leeDocuments[j])))
            }
        }
        let lee = Self.pearson(human, model)
        func words(_ pairs: [(String, String, Double)]) -> Double {
            Self.spearman(pairs.map(\.2), pairs.map { Self.cosine(vector($0.0), vector($0.1)) })
        }
        let scores = Scores(
            lee: lee, wordSim: words(data.wordSim), simLex: words(data.simLex),
            polarity: Self.nearestCentroidAccuracy(data.polarity.map { vector($0.text) }, data.polarity.map(\.positive)))
        var drift: Drift?
        if let exact {
            let cosines = zip(e, exact).map { Self.cosine($0, $1) }
            let sentences = (data.leeDocuments + data.polarity.map(\.text)).map { index[$0]! }
            drift = Drift(
                meanCosine: cosines.reduce(0, +) / Double(max(cosines.count, 1)), worstCosine: cosines.min() ?? 1,
                neighbourOverlap: Self.neighbourOverlap(sentences.map { e[$0] }, sentences.map { exact[$0] }, k: 10))
        }
        return (Row(swap: swap.label, scores: scores, drift: drift, seconds: Date().timeIntervalSince(start)), e)
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, aa = 0.0, bb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            aa += Double(x) * Double(x)
            bb += Double(y) * Double(y)
        }
        return aa > 0 && bb > 0 ? dot / (aa * bb).squareRoot() : 0
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count), mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
    }

    /// Ranks from 1, ties sharing their mean rank (as `scipy.stats.spearmanr`).
    static func ranks(_ x: [Double]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var r = [Double](repeating: 0, count: x.count), i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let mean = Double(i + j) / 2 + 1
            for k in i...j { r[order[k]] = mean }
            i = j + 1
        }
        return r
    }

    static func spearman(_ x: [Double], _ y: [Double]) -> Double { pearson(ranks(x), ranks(y)) }

    static func nearestCentroidAccuracy(_ e: [[Float]], _ positive: [Bool]) -> Double {
        let d = e.first?.count ?? 0
        var sums = [[Double](repeating: 0, count: d), [Double](repeating: 0, count: d)], counts = [0, 0]
        for (v, p) in zip(e, positive) {
            counts[p ? 1 : 0] += 1
            for k in 0..<d { sums[p ? 1 : 0][k] += Double(v[k]) }
        }
        var correct = 0
        for (v, p) in zip(e, positive) {
            var best = -Double.infinity, guess = false
            for c in [false, true] {
                let own = c == p, n = Double(counts[c ? 1 : 0] - (own ? 1 : 0))
                guard n > 0 else { continue }
                let centroid = (0..<d).map { Float((sums[c ? 1 : 0][$0] - (own ? Double(v[$0]) : 0)) / n) }
                let s = cosine(v, centroid)
                if s > best { best = s; guess = c }
            }
            if guess == p { correct += 1 }
        }
        return Double(correct) / Double(max(e.count, 1))
    }

    /// Mean over texts of |top-k(a) ∩ top-k(b)| / k, neighbours by cosine excluding the text itself.
    static func neighbourOverlap(_ a: [[Float]], _ b: [[Float]], k: Int) -> Double {
        let n = a.count
        guard n > k else { return 1 }
        func top(_ e: [[Float]], _ i: Int) -> Set<Int> {
            Set((0..<n).filter { $0 != i }.map { ($0, cosine(e[i], e[$0])) }.sorted { ($0.1, -$0.0) > ($1.1, -$1.0) }.prefix(k).map(\.0))
        }
        var total = 0.0
        for i in 0..<n { total += Double(top(a, i).intersection(top(b, i)).count) / Double(k) }
        return total / Double(n)
    }
}
